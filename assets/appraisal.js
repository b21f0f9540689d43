/* zhiping — 教科研成果鉴定 enhancements (ES5). The pages work without this file: the server enforces the 15-second
   pledge, shows every type's inputs, adds and deletes achievements by round trips, and counts bytes on render. */
(function () {
  'use strict';

  function each(list, fn) { for (var i = 0; i < list.length; i++) { fn(list[i], i); } }
  function closest(node, className) {
    while (node && node !== document) {
      if (node.className && (' ' + node.className + ' ').indexOf(' ' + className + ' ') >= 0) { return node; }
      node = node.parentNode;
    }
    return null;
  }
  function show(node, visible) { if (node) { node.style.display = visible ? '' : 'none'; } }

  /* 诚信承诺书: 同意 is disabled and shows the seconds left (e.g. "13秒", as in the manual) until 15 seconds have
     passed; the countdown reads "同意（13秒）", so a screen reader does not hear only "13秒". */
  function pledge() {
    var button = document.getElementById('pledge-agree');
    var form = document.getElementById('pledge-form');
    if (!button || !form) { return; }
    var left = parseInt(button.getAttribute('data-seconds'), 10) || 0;
    function tick() {
      if (left > 0) {
        button.disabled = true;
        /* The visible text itself carries 同意 and the countdown, so a screen reader hears both and the name
           is the visible label (WCAG 2.5.3: an aria-label that differs from the visible "13秒" fails axe). */
        button.textContent = '同意（' + left + '秒）';
        left -= 1;
        window.setTimeout(tick, 1000);
      } else {
        button.disabled = false;
        button.textContent = '同意';
      }
    }
    tick();
    form.addEventListener('submit', function (event) {
      var box = document.getElementById('agree');
      if (box && !box.checked) {
        event.preventDefault();
        var error = document.getElementById('agree-error');
        if (!error) {
          error = document.createElement('p');
          error.id = 'agree-error';
          error.className = 'field-error';
          error.setAttribute('role', 'alert');
          box.parentNode.parentNode.appendChild(error);
          box.setAttribute('aria-describedby', 'agree-error');
        }
        error.textContent = '请勾选承诺';
        box.focus();
      }
    }, false);
  }

  /* One achievement block: show the chosen level's types, the chosen type's 成果情况 inputs, the contribution
     upload only for 非独立完成, and the live byte counter of 本人承担部分. */
  function setupBlock(block) {
    var levelInputs = block.querySelectorAll('.levels input[type=radio]');
    var typeInputs = block.querySelectorAll('.types input[type=radio]');
    each(block.querySelectorAll('.no-js-only'), function (node) { show(node, false); });
    each(block.querySelectorAll('.type-level'), function (node) { show(node, false); });
    function checkedValue(inputs) {
      for (var i = 0; i < inputs.length; i++) { if (inputs[i].checked) { return inputs[i]; } }
      return null;
    }
    function refresh() {
      var level = checkedValue(levelInputs);
      var type = checkedValue(typeInputs);
      if (type && level && type.getAttribute('data-level') !== level.value) { type.checked = false; type = null; }
      each(block.querySelectorAll('.type-group'), function (group) {
        show(group, level && group.getAttribute('data-level') === level.value);
      });
      each(block.querySelectorAll('.type-fields'), function (group) {
        show(group, type && group.getAttribute('data-type') === type.value);
      });
      var evidence = document.getElementById('evidence-' + block.getAttribute('data-index'));
      if (evidence) {
        var slots = type ? (' ' + type.getAttribute('data-slots') + ' ') : ' ';
        each(evidence.querySelectorAll('.slot'), function (slot) {
          var required = slots.indexOf(' ' + slot.getAttribute('data-slot') + ' ') >= 0;
          slot.className = 'slot' + (required ? ' required' : '');
        });
      }
      var independent = checkedValue(block.querySelectorAll('.independent input[type=radio]'));
      show(block.querySelector('.contribution'), independent && independent.value === '0');
    }
    each(block.querySelectorAll('input[type=radio]'), function (input) {
      input.addEventListener('change', refresh, false);
    });
    refresh();
    each(block.querySelectorAll('input[data-picker]'), datePicker);
    var own = block.querySelector('.own-part');
    if (own) {
      var remaining = block.querySelector('.byte-count .remaining');
      var max = parseInt(own.getAttribute('data-max-bytes'), 10) || 255;
      var count = function () {
        var left = max - utf8Bytes(own.value.replace(/^\s+|\s+$/g, ''));
        // The same words as the server's (formats::own_part_room).
        remaining.textContent = left < 0 ? '已超出' + (-left) + '字节，请删减' : '还可输入' + left + '字节';
        remaining.parentNode.className = 'hint byte-count' + (left < 0 ? ' over' : '');
      };
      own.addEventListener('input', count, false);
      count();
    }
  }

  /* Date fields get the browser's own picker (type=date / month) where it has one; the server reads the same
     yyyy-mm-dd / yyyy-mm it reads from the text box. A value the picker cannot hold (typed differently, or
     wrong) stays a text box, so nothing typed is lost. */
  var PICKER_PATTERN = { date: /^\d{4}-\d{2}-\d{2}$/, month: /^\d{4}-\d{2}$/ };
  function pickerSupported(kind) {
    var probe = document.createElement('input');
    try { probe.setAttribute('type', kind); } catch (error) { return false; }
    return probe.type === kind;
  }
  function datePicker(input) {
    var kind = input.getAttribute('data-picker');
    if (!PICKER_PATTERN[kind] || input.type === kind || !pickerSupported(kind)) { return; }
    if (input.value && !PICKER_PATTERN[kind].test(input.value)) { return; }
    var now = new Date();
    var month = ('0' + (now.getMonth() + 1)).slice(-2);
    var today = now.getFullYear() + '-' + month + '-' + ('0' + now.getDate()).slice(-2);
    input.setAttribute('type', kind);
    input.setAttribute('max', kind === 'date' ? today : now.getFullYear() + '-' + month);
    input.removeAttribute('placeholder');
  }

  /* 现专技职务: the title list shows only the chosen grade's titles (and those of every grade, like 其它). */
  function setupTitles() {
    var grade = document.getElementById('title_grade');
    var title = document.getElementById('title_name');
    if (!grade || !title) { return; }
    var all = [];
    each(title.options, function (option) { all.push(option); });
    // On load the stored choice stays listed even if it does not fit (the server's message says so).
    function filter(initial) {
      var chosen = grade.value;
      var selected = title.value;
      while (title.options.length) { title.removeChild(title.options[0]); }
      var kept = false;
      each(all, function (option) {
        var of = option.getAttribute('data-grade');
        if (!chosen || !of || of === chosen || option.value === '' || (initial && option.value === selected)) {
          title.appendChild(option);
          if (option.value === selected) { kept = true; }
        }
      });
      title.value = kept ? selected : '';
    }
    grade.addEventListener('change', function () {
      filter(false);
      var event = document.createEvent('HTMLEvents');
      event.initEvent('change', true, false);
      title.dispatchEvent(event);
    }, false);
    filter(true);
  }

  function utf8Bytes(text) {
    var bytes = 0;
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i);
      if (code < 0x80) { bytes += 1; } else if (code < 0x800) { bytes += 2; } else if (code >= 0xd800 && code < 0xdc00) { bytes += 4; i += 1; } else { bytes += 3; }
    }
    return bytes;
  }

  /* 新增成果 without a reload, from the <template>s; past the project's maximum, the manual's prompt. */
  function setupAdd(form) {
    var button = form.querySelector('.add-achievement');
    var list = document.getElementById('achievement-list');
    var evidenceList = document.getElementById('evidence-list');
    var template = document.getElementById('tpl-achievement');
    var evidenceTemplate = document.getElementById('tpl-evidence');
    if (!button || !list || !template || !evidenceTemplate) { return; }
    button.addEventListener('click', function (event) {
      event.preventDefault();
      var count = list.querySelectorAll('fieldset.achievement').length;
      var max = parseInt(form.getAttribute('data-max'), 10) || 2;
      if (count >= max) { prompt(form.getAttribute('data-prompt')); return; }
      var index = String(count);
      var number = String(count + 1);
      var fill = function (html) { return html.replace(/__I__/g, index).replace(/__N__/g, number); };
      var holder = document.createElement('div');
      holder.innerHTML = fill(template.innerHTML);
      var block = holder.firstElementChild || holder.children[0];
      list.appendChild(block);
      holder.innerHTML = fill(evidenceTemplate.innerHTML);
      evidenceList.appendChild(holder.firstElementChild || holder.children[0]);
      setupBlock(block);
      var title = block.querySelector('input[type=text]');
      if (title) { title.focus(); }
    }, false);
  }

  /* The manual's 提示 box with 确认. */
  function prompt(text) {
    var overlay = document.createElement('div');
    overlay.className = 'overlay';
    overlay.innerHTML = '<div class="dialog" role="alertdialog" aria-labelledby="prompt-title" aria-describedby="prompt-text">' +
      '<h3 id="prompt-title">提示</h3><p id="prompt-text"></p><button type="button" class="primary">确认</button></div>';
    overlay.querySelector('#prompt-text').textContent = text;
    document.body.appendChild(overlay);
    var ok = overlay.querySelector('button');
    ok.addEventListener('click', function () { document.body.removeChild(overlay); }, false);
    ok.focus();
  }

  /* 删除 asks in the browser; confirmed, the button posts remove_confirmed:i (app.js shows the question). */
  function setupRemove(form) {
    form.addEventListener('click', function (event) {
      var target = event.target;
      if (!target.getAttribute || !target.getAttribute('data-confirm-value')) { return; }
      if (!event.defaultPrevented) { target.value = target.getAttribute('data-confirm-value'); }
    }, false);
  }

  /* With files chosen, send the form by XMLHttpRequest to show upload progress; without, submit normally. */
  function setupProgress(form) {
    if (!window.FormData || !window.XMLHttpRequest) { return; }
    var submitter = null;
    form.addEventListener('click', function (event) {
      if (event.target && event.target.type === 'submit') { submitter = event.target; }
    }, false);
    form.addEventListener('submit', function (event) {
      var chosen = false;
      each(form.querySelectorAll('input[type=file]'), function (input) { if (input.files && input.files.length) { chosen = true; } });
      if (!chosen) { return; }
      event.preventDefault();
      var data = new FormData(form);
      if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
      var box = form.querySelector('.upload-progress');
      var bar = document.getElementById('upload-progress');
      var percent = form.querySelector('.upload-percent');
      show(box, true);
      box.removeAttribute('hidden');
      each(form.querySelectorAll('button'), function (button) { button.disabled = true; });
      // Not form.action: the buttons named "action" shadow that property.
      var target = form.getAttribute('action');
      var request = new XMLHttpRequest();
      request.open('POST', target);
      request.upload.onprogress = function (progress) {
        if (progress.lengthComputable) {
          var value = Math.floor(progress.loaded * 100 / progress.total);
          bar.value = value;
          percent.textContent = value + '%';
        }
      };
      request.onload = function () {
        // A redirect (saved, submitted) is followed by loading its target; a page answered directly (errors) is shown.
        var landed = request.responseURL || '';
        if (landed && landed.slice(-target.length) !== target) {
          window.location.href = landed;
          return;
        }
        document.open();
        document.write(request.responseText);
        document.close();
      };
      request.onerror = function () {
        each(form.querySelectorAll('button'), function (button) { button.disabled = false; });
        percent.textContent = '上传中断，请检查网络后重试（已保存的内容不会丢失）';
      };
      request.send(data);
    }, false);
  }

  /* Focus the first error's own input (more precise than app.js for sentence inputs). */
  function focusFirstError() {
    // The server marks the first error's own field (autofocus); a page written in place needs the call.
    var marked = document.querySelector('form.filing [autofocus]');
    if (marked && marked.focus && marked.offsetParent !== null) { marked.focus(); return; }
    var error = document.querySelector('form.filing .field-error');
    if (!error || !error.id) { return; }
    var input = document.querySelector('[aria-describedby~="' + error.id + '"]');
    if (input && input.focus && input.offsetParent !== null) { input.focus(); }
  }

  function init() {
    pledge();
    var form = document.getElementById('filing-form');
    if (!form) { return; }
    form.className += ' js';
    var title = document.getElementById('title_name');
    var other = form.querySelector('.title-other');
    if (title && other) {
      var toggle = function () { show(other, title.value === '其它'); };
      title.addEventListener('change', toggle, false);
      toggle();
    }
    setupTitles();
    each(form.querySelectorAll('input[data-picker]'), datePicker);
    each(form.querySelectorAll('fieldset.achievement'), setupBlock);
    setupAdd(form);
    setupRemove(form);
    setupProgress(form);
    focusFirstError();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init, false);
  } else {
    init();
  }
}());
