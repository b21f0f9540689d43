// What layout.js and keyboard.js check on a page: `measure` runs in the page (what does not fit the viewport),
// `axeViolations` injects axe-core (from node_modules, over the protocol: zhiping never serves it) and returns the
// serious and critical violations, one line each.
'use strict';

const fs = require('fs');

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Runs in the page: what does not fit. `strict`: 1024 px and up, where nothing may scroll sideways at all.
function measure(strict) {
  var view = document.documentElement.clientWidth;
  var problems = [];
  var describe = function (el) {
    var name = el.tagName.toLowerCase();
    if (el.id) { name += '#' + el.id; }
    if (typeof el.className === 'string' && el.className.trim()) { name += '.' + el.className.trim().split(/\s+/).join('.'); }
    var text = (el.innerText || el.value || el.placeholder || '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return text ? name + ' "' + text + '"' : name;
  };
  var hidden = function (el) {
    for (var node = el; node && node !== document.body; node = node.parentElement) {
      var style = getComputedStyle(node);
      if (style.display === 'none' || style.visibility === 'hidden') { return true; }
      // Visually hidden text for screen readers (1px boxes, clipped) and the skip link parked off screen.
      var box = node.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1 || box.right < 0) { return true; }
    }
    return false;
  };
  var scroller = function (el) {
    for (var node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      var overflow = getComputedStyle(node).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') { return node; }
    }
    return null;
  };
  var scrollWidth = document.scrollingElement.scrollWidth;
  if (scrollWidth > view) { problems.push('the page scrolls sideways: ' + scrollWidth + 'px wide in ' + view + 'px'); }
  // The navigation stays one row where there is room for it (1366 px).
  if (view >= 1366) {
    var rows = {};
    Array.prototype.forEach.call(document.querySelectorAll('nav.main li'), function (li) { rows[li.offsetTop] = true; });
    if (Object.keys(rows).length > 1) { problems.push('the navigation wraps to ' + Object.keys(rows).length + ' rows'); }
  }
  var all = document.body.querySelectorAll('*');
  var reported = 0;
  for (var i = 0; i < all.length && reported < 15; i++) {
    var el = all[i];
    if (hidden(el)) { continue; }
    var box = el.getBoundingClientRect();
    var style = getComputedStyle(el);
    var inside = scroller(el);
    if (box.right > view + 1 && !inside) {
      problems.push(describe(el) + ' reaches ' + Math.round(box.right) + 'px, past the ' + view + 'px viewport');
      reported++;
    }
    if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1 && strict) {
      problems.push(describe(el) + ' hides ' + (el.scrollWidth - el.clientWidth) + 'px of its content behind a sideways scroll');
      reported++;
    }
    if (el.matches('input[placeholder]') && el.placeholder) {
      var canvas = measure.canvas || (measure.canvas = document.createElement('canvas'));
      var context = canvas.getContext('2d');
      var shown = getComputedStyle(el, '::placeholder');
      context.font = shown.fontStyle + ' ' + shown.fontWeight + ' ' + shown.fontSize + ' ' + shown.fontFamily;
      var room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      var needed = context.measureText(el.placeholder).width;
      if (needed > room + 1) {
        problems.push(describe(el) + ': placeholder cut (' + Math.round(needed) + 'px in ' + Math.round(room) + 'px)');
        reported++;
      }
    }
    if (el.matches('.file-size, .size') && el.getClientRects().length > 1) {
      problems.push(describe(el) + ': the file size breaks across lines');
      reported++;
    }
    if (el.matches('dt, label') && el.nextElementSibling && !hidden(el.nextElementSibling)) {
      var next = el.nextElementSibling.getBoundingClientRect();
      var sameLine = next.top < box.bottom - 2 && next.bottom > box.top + 2;
      if (sameLine && next.left < box.right - 1 && next.right > box.left + 1) {
        problems.push(describe(el) + ' runs into ' + describe(el.nextElementSibling));
        reported++;
      }
    }
  }
  return problems;
}

// `evaluate(expression, awaitPromise)` evaluates in the page and returns the value.
async function axeViolations(evaluate) {
  if ((await evaluate('typeof axe')) === 'undefined') { await evaluate(axeSource); }
  return evaluate(`axe.run(document, { resultTypes: ['violations'] }).then(function (result) {
    return result.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })
      .map(function (v) {
        return v.impact + ' ' + v.id + ' (' + v.help + '): ' + v.nodes.slice(0, 4).map(function (n) {
          return n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.replace(/\\s+/g, ' ').slice(0, 160) : '');
        }).join(' | ');
      });
  })`, true);
}

module.exports = { measure, axeViolations };
