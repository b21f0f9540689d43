/* zhiping — small ES5 enhancements only. Every flow works without this file. */
(function () {
  'use strict';
  // Confirm before destructive buttons (删除, 重置密码): data-confirm holds the question.
  document.addEventListener('click', function (event) {
    var target = event.target;
    while (target && target !== document) {
      if (target.getAttribute && target.getAttribute('data-confirm')) {
        if (!window.confirm(target.getAttribute('data-confirm'))) {
          event.preventDefault();
        }
        return;
      }
      target = target.parentNode;
    }
  }, false);
  // After a failed submit, move focus to the first field error so keyboard and screen-reader users land on it.
  function focusFirstError() {
    var error = document.querySelector('.field-error');
    if (!error) { return; }
    var field = error.parentNode && error.parentNode.querySelector('input, select, textarea');
    if (field && field.focus) { field.focus(); }
  }
  // 消息提醒 on arrival at 首页: the in-page notice becomes a modal box; 查看 goes on; 关闭, Esc or a click
  // outside closes it and marks that message read (the 关闭 form, sent in the background), so it stays closed.
  function messagePopup() {
    var popup = document.getElementById('message-popup');
    if (!popup) { return; }
    var form = popup.querySelector('form.popup-close');
    popup.className += ' modal';
    var view = popup.querySelector('a');
    if (view && view.focus) { view.focus(); }
    var closed = false;
    function close() {
      if (closed) { return; }
      closed = true;
      popup.parentNode.removeChild(popup);
      if (form && window.XMLHttpRequest) {
        var token = form.querySelector('input[name=csrf]');
        var request = new XMLHttpRequest();
        request.open('POST', form.getAttribute('action'));
        request.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
        request.send('csrf=' + encodeURIComponent(token ? token.value : ''));
      }
      var main = document.getElementById('main');
      if (main && main.focus) { main.focus(); }
    }
    if (form) {
      form.addEventListener('submit', function (event) { event.preventDefault(); close(); }, false);
    }
    popup.addEventListener('click', function (event) { if (event.target === popup) { close(); } }, false);
    document.addEventListener('keydown', function (event) { if (event.keyCode === 27) { close(); } }, false);
  }
  function ready() {
    focusFirstError();
    messagePopup();
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', ready, false);
  } else {
    ready();
  }
}());
/* Consoles: a header checkbox with data-select-all="NAME" ticks every checkbox named NAME on the page. */
(function () {
  'use strict';
  document.addEventListener('click', function (event) {
    var source = event.target;
    var name = source && source.getAttribute && source.getAttribute('data-select-all');
    if (!name) { return; }
    var boxes = document.querySelectorAll('input[type=checkbox][name="' + name + '"]');
    for (var i = 0; i < boxes.length; i += 1) { boxes[i].checked = source.checked; }
  }, false);
}());
