// The draft page: deleting a draft asks first (its changes cannot be recovered). A file, for script-src 'self'.
(function () {
  'use strict';
  var form = document.getElementById('draft-delete-form');
  if (!form) { return; }
  form.addEventListener('submit', function (event) {
    if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });
}());
