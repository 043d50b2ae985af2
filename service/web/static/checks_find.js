// A long list of boxes (templates/_fields.html: the officers of a training plan chosen by name): typing in
// the box just before the list hides the boxes whose label does not contain the text, and the line under
// it counts the ticked ones. Loaded right after its fieldset; a file for the Content-Security-Policy.
(function () {
  'use strict';
  var fieldset = document.currentScript && document.currentScript.closest('fieldset');
  if (!fieldset) { return; }
  var find = fieldset.querySelector('[data-checks-find]');
  var count = fieldset.querySelector('[data-checks-count]');
  var boxes = Array.prototype.slice.call(fieldset.querySelectorAll('.checks label'));
  function counted() {
    var n = fieldset.querySelectorAll('.checks input:checked').length;
    if (count) { count.textContent = count.getAttribute('data-checks-count').replace('{n}', String(n)); }
  }
  if (find) {
    find.addEventListener('input', function () {
      var text = find.value.trim().toLowerCase();
      boxes.forEach(function (label) {
        label.hidden = text !== '' && label.textContent.toLowerCase().indexOf(text) < 0;
      });
    });
  }
  fieldset.addEventListener('change', counted);
})();
