// Keyboard access to what scrolls in its own box (issue 15, point 3): a wide table on a phone, the raw JSON, a
// long list. Such a box with nothing focusable inside takes the focus (tabindex=0), so the arrow keys scroll
// it; checked again when the window is resized, and given back when it no longer scrolls. On every page
// (base.html), a file for the Content-Security-Policy's script-src 'self'.
(function () {
  'use strict';
  var FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]';
  var MARK = 'data-scroll-focus';

  function scrolls(element) {
    var style = window.getComputedStyle(element);
    var sideways = /auto|scroll/.test(style.overflowX) && element.scrollWidth > element.clientWidth + 1;
    var down = /auto|scroll/.test(style.overflowY) && element.scrollHeight > element.clientHeight + 1;
    return sideways || down;
  }

  function mark() {
    var main = document.querySelector('main');
    if (!main) { return; }
    main.querySelectorAll('table, pre, div, ul, ol, section').forEach(function (element) {
      var marked = element.hasAttribute(MARK);
      if (scrolls(element)) {
        if (!marked && !element.hasAttribute('tabindex') && !element.querySelector(FOCUSABLE)) {
          element.setAttribute('tabindex', '0');
          element.setAttribute(MARK, '');
        }
      } else if (marked) {
        element.removeAttribute('tabindex');
        element.removeAttribute(MARK);
      }
    });
  }

  var pending = null;
  window.addEventListener('resize', function () {
    if (pending) { window.cancelAnimationFrame(pending); }
    pending = window.requestAnimationFrame(function () { pending = null; mark(); });
  });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', mark);
  } else {
    mark();
  }
  window.addEventListener('load', mark);  // images and charts may widen a box after the document is read
}());
