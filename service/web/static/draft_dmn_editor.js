// A draft's decision tables in dmn-js's modeler (issue 14, point 1); a file so the page needs no inline
// script (CSP script-src 'self'). The page's JSON block #dmn-data carries the XML, the save URL, the CSRF
// token and the page's words; Save sends the modeler's XML back and shows the draft's check.
(function () {
  var holder = document.getElementById('dmn-editor');
  var source = document.getElementById('dmn-data');
  if (!holder || !source) { return; }
  var data = JSON.parse(source.textContent);
  var words = data.text;
  var saveButton = document.getElementById('save-dmn');
  var status = document.getElementById('save-status');
  var dirtyMark = document.getElementById('dirty');
  var problemList = document.getElementById('check-problems');
  var tabs = document.getElementById('dmn-views');
  var dirty = false;
  var rawText = null;  // the XML as text, when dmn-js cannot open it: the designer repairs it there
  if (typeof window.DmnJS !== 'function') { holder.textContent = words.missing; return; }

  var options = { container: holder, common: { keyboard: { bindTo: window } } };
  if (data.lang !== 'en' && typeof window.auxpoliceDmnZh === 'function') {
    // Per view: dmn-js replaces the common options' additionalModules with its own (dmn_js_zh.js).
    ['drd', 'decisionTable', 'literalExpression', 'boxedExpression'].forEach(function (view) {
      options[view] = { additionalModules: [{ translate: ['value', window.auxpoliceDmnZh] }] };
    });
  }
  var modeler = new window.DmnJS(options);

  function setDirty(value) {
    dirty = value;
    dirtyMark.hidden = !value;
  }

  function kindName(view) {
    if (view.type === 'decisionTable') { return words.table; }
    if (view.type === 'drd') { return words.drd; }
    if (view.type === 'literalExpression') { return words.literal; }
    return view.type;
  }

  function watchActiveViewer() {
    var viewer = modeler.getActiveViewer();
    if (!viewer || viewer.__auxpoliceWatched) { return; }
    viewer.__auxpoliceWatched = true;
    viewer.get('eventBus').on('elements.changed', function () { setDirty(true); });
  }

  function drawTabs() {
    tabs.textContent = '';
    if (rawText) { return; }  // edited as text: dmn-js's views are not shown
    var active = modeler.getActiveView();
    modeler.getViews().forEach(function (view) {
      var item = document.createElement('li');
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'tab' + (active && active.element === view.element ? ' active' : '');
      button.dataset.viewType = view.type;
      button.textContent = kindName(view) + ' · ' + (view.element.name || view.element.id);
      button.addEventListener('click', function () { modeler.open(view); });
      item.appendChild(button);
      tabs.appendChild(item);
    });
  }

  modeler.on('views.changed', function () { drawTabs(); watchActiveViewer(); });


  function showText(message) {
    var note = document.createElement('p');
    note.className = 'error';
    note.id = 'dmn-failed';
    note.textContent = words.failed + ' ' + message;
    var help = document.createElement('p');
    help.className = 'help';
    help.textContent = words.as_text;
    help.id = 'dmn-text-help';
    rawText = document.createElement('textarea');
    rawText.id = 'dmn-text';
    rawText.setAttribute('aria-labelledby', 'dmn-text-help');  // named for screen readers (issue 15, point 3)
    rawText.className = 'code';
    rawText.rows = 30;
    rawText.spellcheck = false;
    rawText.value = data.xml;
    rawText.addEventListener('input', function () { setDirty(true); });
    holder.textContent = '';
    tabs.textContent = '';
    holder.append(note, help, rawText);
    holder.dataset.ready = 'text';
    saveButton.disabled = false;
  }

  modeler.importXML(data.xml).then(function (result) {
    // What dmn-js could not read would be missing from what it saves: the file is edited as text instead.
    var warnings = document.getElementById('import-warnings');
    (result.warnings || []).forEach(function (warning) {
      var item = document.createElement('li');
      item.textContent = words.import_warning + ' ' + (warning.message || warning);
      warnings.appendChild(item);
    });
    if ((result.warnings || []).length) { throw new Error(words.lossy); }
    // Designers come for the tables: open the first decision table rather than the relation diagram.
    var table = modeler.getViews().filter(function (view) { return view.type === 'decisionTable'; })[0];
    return table ? modeler.open(table) : null;
  }).then(function () {
    drawTabs();
    watchActiveViewer();
    saveButton.disabled = false;
    holder.dataset.ready = 'true';
  }).catch(function (error) {
    showText(error && error.message ? error.message : String(error));
  });

  function showProblems(problems) {
    problemList.textContent = '';
    (problems || []).forEach(function (text) {
      var item = document.createElement('li');
      item.textContent = text;
      problemList.appendChild(item);
    });
  }

  saveButton.addEventListener('click', function () {
    saveButton.disabled = true;
    status.className = 'save-status';
    status.textContent = words.saving;
    var written = rawText ? Promise.resolve({ xml: rawText.value }) : modeler.saveXML({ format: true });
    written.then(function (result) {
      return fetch(data.save_url, {
        method: 'PUT',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': data.csrf },
        body: JSON.stringify({ text: result.xml })
      });
    }).then(function (response) {
      // A refusal before the page's endpoint (an expired CSRF token, a signed-out session) is not JSON.
      return response.json().catch(function () { return { message: 'HTTP ' + response.status }; })
        .then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      if (answer.status !== 200 || answer.body.saved !== true) {
        throw new Error(answer.body.message || answer.status);
      }
      setDirty(false);
      if (rawText) { window.location.reload(); return; }  // repaired: open it in the table editor
      status.className = 'save-status ' + (answer.body.draft_ok ? 'ok' : 'warn');
      status.textContent = answer.body.draft_ok ? words.saved_ok : words.saved_problems;
      showProblems(answer.body.problems);
    }).catch(function (error) {
      status.className = 'save-status error';
      status.textContent = words.save_failed + ' ' + (error && error.message ? error.message : error);
    }).then(function () { saveButton.disabled = false; });
  });

  window.addEventListener('beforeunload', function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = words.unsaved; }
  });
}());
