// Opens the filter box just before this script (templates/_filter_box.html) on a screen wider than a
// phone's: the same width at which app.css stops stacking the filters (40rem). Loaded without defer, right
// after the box, so a desktop never sees it closed first; a file for the Content-Security-Policy.
(function () {
  'use strict';
  var box = document.currentScript && document.currentScript.previousElementSibling;
  if (box && box.tagName === 'DETAILS' && window.matchMedia('(min-width: 40.0625rem)').matches) {
    box.open = true;
  }
})();
