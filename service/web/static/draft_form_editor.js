// The form editor (issue 14, point 1): the form's JSON Schema in a text area and as a table of fields,
// each writing into the other, and a live preview the server renders with the task pages' own renderer,
// Chinese and English side by side. A file so the page needs no inline script (CSP script-src 'self').
(function () {
  var source = document.getElementById('form-editor-data');
  var area = document.getElementById('form-text');
  if (!source || !area) { return; }
  var data = JSON.parse(source.textContent);
  var words = data.text;
  var typeNames = {};
  data.types.forEach(function (pair) { typeNames[pair[0]] = pair[1]; });
  var tableBody = document.querySelector('#field-table tbody');
  var fieldMessage = document.getElementById('field-message');
  var previewError = document.getElementById('preview-error');
  var panes = document.getElementById('preview-panes');
  var warnings = document.getElementById('preview-warnings');
  var status = document.getElementById('save-status');
  var dirtyMark = document.getElementById('dirty');
  var problemList = document.getElementById('check-problems');
  var saveButton = document.getElementById('save-form');
  var dirty = false;
  var timer = null;
  var asked = 0;

  function setDirty(value) { dirty = value; dirtyMark.hidden = !value; }

  function post(url, method, text) {
    return fetch(url, {
      method: method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': data.csrf },
      body: JSON.stringify({ text: text })
    }).then(function (response) {
      return response.json().catch(function () {
        // Not the endpoint's answer: an expired CSRF token or session (the login page) answers HTML.
        var zh = '无法读取服务器的回答（HTTP ' + response.status + '），请刷新页面后重试';
        var en = 'The server\'s answer cannot be read (HTTP ' + response.status + '); reload the page and retry';
        return { ok: false, zh: zh, en: en, message: data.lang === 'en' ? en : zh };
      }).then(function (body) { return { status: response.status, body: body }; });
    });
  }

  function showError(zh, en) {
    document.getElementById('preview-error-zh').textContent = zh;
    document.getElementById('preview-error-en').textContent = en;
    previewError.hidden = false;
    panes.classList.add('stale');
  }

  function parsed() {
    try { return { schema: JSON.parse(area.value) }; } catch (error) { return { error: error.message }; }
  }

  // -- preview ------------------------------------------------------------------------------------------

  function refresh() {
    var result = parsed();
    if (result.error) {
      showError('不是有效的 JSON：' + result.error, 'Not valid JSON: ' + result.error);
      drawTable(null);
      return;
    }
    drawTable(result.schema);
    var number = ++asked;
    post(data.preview_url, 'POST', area.value).then(function (answer) {
      if (number !== asked) { return; }  // a later keystroke's preview is on its way
      if (!answer.body.ok) { showError(answer.body.zh, answer.body.en); return; }
      previewError.hidden = true;
      panes.classList.remove('stale');
      document.getElementById('preview-zh').innerHTML = answer.body.zh;  // server-rendered, escaped by Jinja
      document.getElementById('preview-en').innerHTML = answer.body.en;
      warnings.textContent = '';
      answer.body.warnings.forEach(function (warning) {
        var item = document.createElement('li');
        item.textContent = (data.lang === 'en' ? warning.en : warning.zh);
        warnings.appendChild(item);
      });
      panes.dataset.ready = String(number);
    }).catch(function (error) { showError(String(error), String(error)); });
  }

  function later() {
    setDirty(true);
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }

  // -- the table of fields ------------------------------------------------------------------------------

  function kindOf(node) {
    if (node.enum || (node.items && node.items.enum)) { return 'choice'; }
    if (node.type === 'array') { return 'list'; }
    if (node.type === 'object') { return 'group'; }
    if (node.type === 'string' && node.format === 'date') { return 'date'; }
    if (node.type === 'string' && (node['x-multiline'] || (node.maxLength || 0) > 200)) { return 'textarea'; }
    if (typeNames[node.type]) { return node.type; }
    return 'other';
  }

  function setKind(node, kind) {
    delete node.format;
    delete node['x-multiline'];
    if (kind === 'date') { node.type = 'string'; node.format = 'date'; }
    else if (kind === 'textarea') { node.type = 'string'; node['x-multiline'] = true; }
    else { node.type = kind; }
    if (node.type !== 'number' && node.type !== 'integer') { delete node.minimum; delete node.maximum; }
    if (node.type !== 'string') { delete node.maxLength; delete node.minLength; delete node.pattern; }
  }

  function typeSelect(kind) {
    var select = document.createElement('select');
    data.types.forEach(function (pair) {
      var option = document.createElement('option');
      option.value = pair[0];
      option.textContent = pair[1];
      option.selected = pair[0] === kind;
      select.appendChild(option);
    });
    return select;
  }

  function write(schema) {
    area.value = JSON.stringify(schema, null, 2) + '\n';
    later();
  }

  // Each control of a row is named by its column's heading and the field (issue 15, point 3).
  function named(control, column, key) {
    var heading = document.querySelectorAll('#field-table thead th')[column];
    control.setAttribute('aria-label', (heading ? heading.textContent : '') + ' ' + key);
    return control;
  }

  function cell(row, child) {
    var td = document.createElement('td');
    if (typeof child === 'string') { td.textContent = child; } else { td.appendChild(child); }
    row.appendChild(td);
    return td;
  }

  function input(value, onChange) {
    var box = document.createElement('input');
    box.type = 'text';
    box.value = value || '';
    box.addEventListener('change', function () { onChange(box.value); });
    return box;
  }

  function drawTable(schema) {
    if (!tableBody) { return; }  // the data labels file has no table of fields
    var editable = schema && typeof schema === 'object' && !Array.isArray(schema);
    document.getElementById('field-table').classList.toggle('stale', !editable);
    if (!editable) { return; }  // keep the last table while the text does not parse
    formTitles(schema);
    // Redrawn after each change: the input the designer moved to keeps the focus.
    var active = document.activeElement;
    var focused = active && tableBody.contains(active) ? {
      key: active.closest('tr').dataset.key, cell: active.closest('td').className
    } : null;
    tableBody.textContent = '';
    var properties = schema.properties || {};
    var required = Array.isArray(schema.required) ? schema.required : [];
    Object.keys(properties).forEach(function (key) {
      var node = properties[key];
      if (!node || typeof node !== 'object') { return; }
      var row = document.createElement('tr');
      row.dataset.key = key;
      cell(row, key).className = 'key';
      cell(row, named(input(node.title, function (value) { node.title = value; write(schema); }), 1, key))
        .className = 'title-zh';
      cell(row, named(input(node['x-title-en'], function (value) {
        node['x-title-en'] = value; write(schema);
      }), 2, key)).className = 'title-en';
      var kind = kindOf(node);
      if (typeNames[kind]) {
        var select = named(typeSelect(kind), 3, key);
        select.addEventListener('change', function () { setKind(node, select.value); write(schema); });
        cell(row, select).className = 'type';
      } else {
        cell(row, words[kind] || kind).className = 'type';
      }
      var box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = required.indexOf(key) >= 0;
      box.addEventListener('change', function () {
        var list = (Array.isArray(schema.required) ? schema.required : []).filter(function (k) { return k !== key; });
        if (box.checked) { list.push(key); }
        if (list.length) { schema.required = list; } else { delete schema.required; }
        write(schema);
      });
      cell(row, named(box, 4, key)).className = 'required';
      var remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'remove-field';
      remove.textContent = words.remove;
      remove.addEventListener('click', function () {
        delete schema.properties[key];
        if (Array.isArray(schema.required)) {
          schema.required = schema.required.filter(function (k) { return k !== key; });
          if (!schema.required.length) { delete schema.required; }
        }
        write(schema);
      });
      cell(row, remove);
      tableBody.appendChild(row);
    });
    if (focused && focused.cell) {
      var place = 'tr[data-key="' + CSS.escape(focused.key) + '"] td.' + focused.cell;
      var again = tableBody.querySelector(place + ' input, ' + place + ' select');
      if (again) { again.focus(); }
    }
  }

  function formTitles(schema) {
    [['form-title', 'title'], ['form-title-en', 'x-title-en']].forEach(function (pair) {
      var box = document.getElementById(pair[0]);
      if (!box) { return; }
      if (document.activeElement !== box) { box.value = schema[pair[1]] || ''; }
      box.onchange = function () { schema[pair[1]] = box.value; write(schema); };
    });
  }

  function fieldProblem(text) {
    fieldMessage.textContent = text;
    fieldMessage.hidden = !text;
  }

  var newType = document.getElementById('new-type');
  if (newType) {
    data.types.forEach(function (pair) {
      var option = document.createElement('option');
      option.value = pair[0];
      option.textContent = pair[1];
      newType.appendChild(option);
    });
  }

  var addButton = document.getElementById('add-field');
  if (addButton) { addButton.addEventListener('click', addField); }

  function addField() {
    var result = parsed();
    if (result.error || !result.schema || typeof result.schema !== 'object') { fieldProblem(words.fix_json); return; }
    var schema = result.schema;
    var key = document.getElementById('new-key').value.trim();
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) { fieldProblem(words.key_invalid); return; }
    schema.properties = schema.properties || {};
    if (Object.prototype.hasOwnProperty.call(schema.properties, key)) { fieldProblem(words.key_taken); return; }
    var node = {};
    node.title = document.getElementById('new-title').value.trim();
    node['x-title-en'] = document.getElementById('new-title-en').value.trim();
    setKind(node, newType.value);
    var ordered = { type: node.type };  // the house order: type, then titles
    Object.keys(node).forEach(function (name) { if (name !== 'type') { ordered[name] = node[name]; } });
    schema.properties[key] = ordered;
    if (document.getElementById('new-required').checked) {
      schema.required = (Array.isArray(schema.required) ? schema.required : []).concat([key]);
    }
    ['new-key', 'new-title', 'new-title-en'].forEach(function (id) { document.getElementById(id).value = ''; });
    document.getElementById('new-required').checked = false;
    fieldProblem('');
    write(schema);
  }

  area.addEventListener('input', later);

  // -- saving -------------------------------------------------------------------------------------------

  saveButton.addEventListener('click', function () {
    var result = parsed();
    if (result.error) {
      status.className = 'save-status error';
      status.textContent = words.save_failed + ' ' + words.fix_json;
      refresh();
      return;
    }
    saveButton.disabled = true;
    status.className = 'save-status';
    status.textContent = words.saving;
    post(data.save_url, 'PUT', area.value).then(function (answer) {
      problemList.textContent = '';
      if (answer.status !== 200 || answer.body.saved !== true) {
        status.className = 'save-status error';
        status.textContent = words.save_failed + ' ' + (answer.body.message || answer.status);
        return;
      }
      setDirty(false);
      status.className = 'save-status ' + (answer.body.draft_ok ? 'ok' : 'warn');
      status.textContent = answer.body.draft_ok ? words.saved_ok : words.saved_problems;
      answer.body.problems.forEach(function (text) {
        var item = document.createElement('li');
        item.textContent = text;
        problemList.appendChild(item);
      });
    }).catch(function (error) {
      status.className = 'save-status error';
      status.textContent = words.save_failed + ' ' + error;
    }).then(function () { saveButton.disabled = false; });
  });

  window.addEventListener('beforeunload', function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = words.unsaved; }
  });

  refresh();
  setDirty(false);
}());
