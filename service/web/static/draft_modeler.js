// A draft's BPMN file in the bpmn-js Modeler (served from web/node_modules, no build step), with our
// properties panel (draft_modeler_panel.js) and the spiffworkflow moddle descriptor so extension elements
// round-trip. Save PUTs the XML, Check POSTs to the draft's check and draws each problem on its element.
// Data comes from the page's JSON block #modeler-data (Content-Security-Policy script-src 'self').
(function () {
  'use strict';
  var holder = document.getElementById('modeler-canvas');
  var source = document.getElementById('modeler-data');
  if (!holder || !source) { return; }
  var data = JSON.parse(source.textContent);
  var L = data.labels, english = data.lang === 'en';
  var status = document.getElementById('modeler-status');
  var saveButton = document.getElementById('modeler-save');
  var checkButton = document.getElementById('modeler-check');
  var problemsBox = document.getElementById('modeler-problems');
  var problemList = document.getElementById('modeler-problem-list');
  var summary = document.getElementById('modeler-problems-summary');

  function say(message, kind) {
    status.textContent = message;
    status.className = kind || '';
  }
  if (typeof window.BpmnJS !== 'function' || !window.AuxpoliceSpiffModdle) { say(L.missing, 'error'); return; }

  var modeler = new window.BpmnJS({
    container: holder,
    moddleExtensions: { spiffworkflow: window.AuxpoliceSpiffModdle }
  });
  var canvas = modeler.get('canvas'), registry = modeler.get('elementRegistry');
  var overlays = modeler.get('overlays'), selection = modeler.get('selection');
  var dirty = false, lossy = [], marked = [];
  window.AuxpolicePanel(modeler, document.getElementById('properties-panel'), data);

  function show(id) {
    var element = registry.get(id);
    if (!element) { return false; }
    selection.select(element);
    canvas.scrollToElement(element, { top: 120, bottom: 120, left: 200, right: 200 });
    holder.scrollIntoView({ block: 'nearest' });
    return true;
  }

  // The whole diagram in view, right of the palette (which would otherwise cover the first lane's tasks).
  function fitBesidePalette() {
    var inner = canvas.viewbox().inner, outer = canvas.viewbox().outer;
    var palette = holder.querySelector('.djs-palette');
    var left = (palette ? palette.offsetLeft + palette.offsetWidth : 0) + 16;
    if (!inner.width || !outer.width) { return; }
    // A wide process with lanes is flat: the box takes the diagram's proportions (within bounds), then fits it.
    var wide = Math.min((outer.width - left - 16) / inner.width, 1.2);
    var height = Math.max(380, Math.min(inner.height * wide + 48, window.innerHeight * 0.7));
    holder.style.height = Math.round(height) + 'px';
    canvas.resized();
    outer = canvas.viewbox().outer;
    var scale = Math.min((outer.width - left - 16) / inner.width, (outer.height - 32) / inner.height, 1.2);
    canvas.viewbox({
      x: inner.x - left / scale, y: inner.y - 16 / scale, width: outer.width / scale, height: outer.height / scale
    });
  }

  // Lanes name departments by code in the model; each lane carries its department's name in a badge.
  var departmentNames = {};
  data.choices.departments.concat(data.choices.templates).forEach(function (d) {
    departmentNames[d.code] = english ? d.en : d.zh;
  });
  function laneBadges() {
    overlays.remove({ type: 'lane-name' });
    registry.filter(function (e) { return e.type === 'bpmn:Lane'; }).forEach(function (lane) {
      var code = lane.businessObject.name || '';
      var badge = document.createElement('div');
      badge.className = departmentNames[code] ? 'lane-name' : 'lane-name unknown';
      badge.textContent = departmentNames[code] || (L.unregistered + ': ' + (code || '—'));
      overlays.add(lane.id, 'lane-name', { position: { top: 4, left: 36 }, html: badge, scale: { min: 0.8 } });
    });
  }

  modeler.importXML(data.xml).then(function (result) {
    lossy = result.warnings || [];
    if (lossy.length) {
      say(L.import_warnings + ' ' + lossy.map(function (w) { return w.message.split('\n')[0]; }).join('; '), 'error');
    }
    fitBesidePalette();
    laneBadges();
    modeler.on('commandStack.changed', function () {
      dirty = true;
      laneBadges();
      say(L.unsaved, 'unsaved');
    });
    if (data.element) { show(data.element); }
    holder.dataset.ready = 'true';
  }).catch(function (error) {
    say(L.load_failed + ' ' + (error && error.message ? error.message : error), 'error');
  });

  function request(url, method, body) {
    return fetch(url, {
      method: method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': data.csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      // A signed-out session is redirected to the login page and a stale CSRF token gets the error page:
      // neither is JSON, and neither saved anything.
      if ((response.headers.get('Content-Type') || '').indexOf('application/json') < 0) {
        throw new Error(L.expired);
      }
      return response.json().then(function (answer) {
        if (!response.ok) { throw new Error(answer.message || String(response.status)); }
        return answer;
      });
    });
  }

  function save() {
    if (lossy.length && !window.confirm(L.confirm_lossy_save)) { return Promise.reject(new Error('')); }
    say(L.saving);
    saveButton.disabled = true;
    return modeler.saveXML({ format: true }).then(function (result) {
      return request(data.save_url, 'PUT', { text: result.xml });
    }).then(function () {
      dirty = false;
      say(L.saved + ' ' + new Date().toLocaleTimeString(english ? 'en-GB' : 'zh-CN'), 'saved');
    }).catch(function (error) {
      if (error.message) { say(L.save_failed + error.message, 'error'); }
      throw error;
    }).finally(function () { saveButton.disabled = false; });
  }

  function clearProblems() {
    marked.forEach(function (mark) { canvas.removeMarker(mark[0], mark[1]); });
    marked = [];
    overlays.remove({ type: 'problem' });
    problemList.textContent = '';
  }

  function onThisDiagram(problem) {
    if (!problem.element_id || !registry.get(problem.element_id)) { return false; }
    return !problem.process_id || data.own_processes.indexOf(problem.process_id) >= 0 ||
      !data.process_urls[problem.process_id];
  }

  function drawProblems(problems) {
    clearProblems();
    problemsBox.hidden = false;
    var errors = problems.filter(function (p) { return p.severity !== 'warning'; }).length;
    summary.textContent = errors ? L.check_failed : problems.length ? L.check_advice : L.check_ok;
    summary.className = errors ? 'error' : 'flash ok';
    summary.id = 'modeler-problems-summary';
    problems.forEach(function (problem) {
      var main = english ? problem.en : problem.zh, other = english ? problem.zh : problem.en;
      var item = document.createElement('li');
      var warning = problem.severity === 'warning';
      item.className = 'problem ' + (warning ? 'warning' : 'error');
      var severity = document.createElement('span');
      severity.className = 'severity';
      severity.textContent = (warning ? L.warning : L.error) + ' ';
      item.appendChild(severity);
      var zh = document.createElement('span');
      zh.className = 'zh';
      zh.lang = 'zh-CN';
      zh.textContent = problem.zh;
      var en = document.createElement('span');
      en.className = 'en muted';
      en.lang = 'en';
      en.textContent = problem.en;
      item.appendChild(zh);
      item.appendChild(document.createElement('br'));
      item.appendChild(en);
      item.appendChild(document.createElement('br'));
      if (onThisDiagram(problem)) {
        item.dataset.element = problem.element_id;
        var marker = warning ? 'has-warning' : 'has-problem';
        if (!canvas.hasMarker(problem.element_id, marker)) {
          canvas.addMarker(problem.element_id, marker);
          marked.push([problem.element_id, marker]);
        }
        var note = document.createElement('div');
        note.className = warning ? 'problem-overlay warning' : 'problem-overlay';
        note.textContent = main;
        note.title = other;
        // Readable when the diagram is zoomed out to fit: the note never shrinks below 80%.
        overlays.add(problem.element_id, 'problem', {
          position: { bottom: 4, left: 0 }, html: note, scale: { min: 0.8 }
        });
        var button = document.createElement('button');
        button.type = 'button';
        button.textContent = L.show + ' ' + problem.element_id;
        button.addEventListener('click', function () { show(problem.element_id); });
        item.appendChild(button);
      } else if (problem.process_id && data.process_urls[problem.process_id]) {
        var link = document.createElement('a');
        link.href = data.process_urls[problem.process_id] +
          (problem.element_id ? '?element=' + encodeURIComponent(problem.element_id) : '');
        link.textContent = L.other_file + ': ' + (problem.element_id || problem.process_id);
        item.appendChild(link);
      } else if (problem.file && data.file_urls[problem.file]) {
        var file = document.createElement('a');
        file.href = data.file_urls[problem.file];
        file.textContent = L.open_file + ' ' + problem.file;
        item.appendChild(file);
      } else {
        var where = document.createElement('span');
        where.className = 'muted';
        where.textContent = L.no_element;
        item.appendChild(where);
      }
      problemList.appendChild(item);
    });
  }

  saveButton.addEventListener('click', function () { save().catch(function () { return null; }); });
  checkButton.addEventListener('click', function () {
    checkButton.disabled = true;
    (dirty ? save() : Promise.resolve()).then(function () {
      say(L.checking);
      return request(data.check_url, 'POST');
    }).then(function (answer) {
      drawProblems(answer.problems || []);
      say(answer.ok ? (answer.problems.length ? L.check_advice : L.check_ok) : L.check_failed,
        answer.ok ? 'saved' : 'error');
    }).catch(function (error) {
      if (error.message) { say(error.message, 'error'); }
    }).finally(function () { checkButton.disabled = false; });
  });
  window.addEventListener('beforeunload', function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ''; }
  });
}());
