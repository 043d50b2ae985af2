// Month-end helpers of the bulk scoring table (templates/bulk.html, issue 15, point 1), a file for the
// Content-Security-Policy's script-src 'self'. 全部填满分 puts each score's maximum (the header's 满分, from the
// form's JSON Schema) in the cells left empty; without this script the same button asks the server to do it.
// Each column gets a 向下填充 button: the column's topmost value goes into the empty cells below it (the
// committee's opinion for 43 officers at once). Neither overwrites what the clerk typed, and the server
// still checks every row when it is submitted.
(function () {
  'use strict';
  var table = document.getElementById('bulk-table');
  if (!table) { return; }
  var status = document.getElementById('bulk-fill-status');

  function say(text) {
    if (status) { status.textContent = text; }
  }

  function typed(field) {
    field.dispatchEvent(new Event('input', { bubbles: true }));
    field.dispatchEvent(new Event('change', { bubbles: true }));
  }

  function empty(field) {
    return !field.disabled && field.value.trim() === '';
  }

  var fillMax = document.getElementById('bulk-fill-max');
  if (fillMax) {
    fillMax.addEventListener('click', function (event) {
      event.preventDefault();
      var count = 0;
      table.querySelectorAll('input.bulk-number[data-max]').forEach(function (input) {
        if (empty(input)) {
          input.value = input.getAttribute('data-max');
          typed(input);
          count += 1;
        }
      });
      say(fillMax.getAttribute('data-done').replace('{n}', String(count)));
    });
  }

  // The cells of a column: the nth input or select of each row that can be completed here.
  function cells(index) {
    var found = [];
    table.querySelectorAll('tbody tr').forEach(function (row) {
      var cell = row.querySelectorAll('td.bulk-cell')[index];
      var field = cell && cell.querySelector('input, select');
      if (field) { found.push(field); }
    });
    return found;
  }

  table.querySelectorAll('thead th.bulk-col').forEach(function (header, index) {
    var title = header.getAttribute('data-title') || '';
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'bulk-fill-down';
    button.id = 'bulk-fill-down-' + (index + 1);
    button.textContent = table.getAttribute('data-fill-down');
    button.setAttribute('aria-label', table.getAttribute('data-fill-down-label').replace('{column}', title));
    header.appendChild(button);
    button.addEventListener('click', function () {
      var fields = cells(index);
      var source = null;
      var count = 0;
      fields.forEach(function (field) {
        if (source === null) {
          if (!empty(field)) { source = field.value; }
        } else if (empty(field)) {
          field.value = source;
          typed(field);
          count += 1;
        }
      });
      if (source === null) {
        say(table.getAttribute('data-fill-down-none').replace('{column}', title));
      } else {
        say(table.getAttribute('data-fill-down-done').replace('{column}', title).replace('{n}', String(count)));
      }
    });
  });
})();
