// The audit search's type-ahead (issue 16): each input with data-suggest="person|village" becomes a combobox
// (WAI-ARIA 1.2, list autocomplete) whose listbox holds at most 20 names fetched from
// /audit/suggestions as one types. Without this script the input is a plain text field, which the server
// resolves by name. Keys: Down/Up move through the names, Enter takes one, Escape closes the list.
(function () {
  'use strict';
  var form = document.getElementById('audit-filters');
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute('data-suggest-url');

  function setup(input) {
    var field = input.getAttribute('data-suggest');
    var listId = input.id + '-list';
    var wrap = document.createElement('div');
    wrap.className = 'suggest-wrap';
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var list = document.createElement('ul');
    list.id = listId;
    list.className = 'suggest-list';
    list.setAttribute('role', 'listbox');
    if (input.labels && input.labels[0]) { list.setAttribute('aria-labelledby', labelId(input.labels[0], input)); }
    list.hidden = true;
    wrap.appendChild(list);
    var status = document.createElement('span');
    status.id = input.id + '-status';
    status.className = 'visually-hidden suggest-status';
    status.setAttribute('role', 'status');
    wrap.appendChild(status);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', listId);

    var timer = null;
    var asked = 0;
    var active = -1;

    function options() { return list.querySelectorAll('[role=option]'); }

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }

    function highlight(index) {
      var all = options();
      if (!all.length) { return; }
      active = (index + all.length) % all.length;
      for (var i = 0; i < all.length; i++) {
        all[i].setAttribute('aria-selected', i === active ? 'true' : 'false');
      }
      input.setAttribute('aria-activedescendant', all[active].id);
      all[active].scrollIntoView({ block: 'nearest' });
    }

    function choose(option) {
      input.value = option.getAttribute('data-value');
      close();
      status.textContent = '';
      input.focus();
    }

    function show(body) {
      list.textContent = '';
      body.items.forEach(function (item, index) {
        var li = document.createElement('li');
        li.id = listId + '-' + index;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.setAttribute('data-value', item.value);
        li.textContent = item.label;
        li.addEventListener('mousedown', function (event) { event.preventDefault(); choose(li); });
        list.appendChild(li);
      });
      active = -1;
      input.removeAttribute('aria-activedescendant');
      var count = body.items.length;
      list.hidden = count === 0;
      input.setAttribute('aria-expanded', count ? 'true' : 'false');
      status.textContent = count
        ? form.getAttribute('data-suggest-count').replace('{n}', String(count)) +
          (body.more ? ' ' + form.getAttribute('data-suggest-more') : '')
        : form.getAttribute('data-suggest-none');
    }

    function ask() {
      var text = input.value.trim();
      if (!text) { close(); status.textContent = ''; return; }
      var mine = ++asked;
      var query = url + '?field=' + encodeURIComponent(field) + '&q=' + encodeURIComponent(text);
      fetch(query, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (body && mine === asked && document.activeElement === input) { show(body); }
        })
        .catch(function () { /* the field still works as plain text */ });
    }

    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener('keydown', function (event) {
      var open = !list.hidden;
      if (event.key === 'ArrowDown' || event.key === 'Down') {
        event.preventDefault();
        if (!open) { ask(); return; }
        highlight(active + 1);
      } else if (event.key === 'ArrowUp' || event.key === 'Up') {
        if (open) { event.preventDefault(); highlight(active - 1); }
      } else if (event.key === 'Enter') {
        if (open && active >= 0) { event.preventDefault(); choose(options()[active]); }
      } else if (event.key === 'Escape' || event.key === 'Esc') {
        if (open) { event.preventDefault(); close(); }
      } else if (event.key === 'Tab') {
        close();
      }
    });
    input.addEventListener('blur', function () { setTimeout(close, 100); });
  }

  function labelId(label, input) {
    if (!label.id) { label.id = input.id + '-label'; }
    return label.id;
  }

  var inputs = form.querySelectorAll('input[data-suggest]');
  for (var i = 0; i < inputs.length; i++) { setup(inputs[i]); }
})();
