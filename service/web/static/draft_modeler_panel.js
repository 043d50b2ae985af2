// The modeler's properties panel: our BPMN extension keys (docs/design.md, "BPMN conventions") edited as
// choices for the selected element. Lane -> department; user task -> form, English name, due rule (days, a
// data key and its dueDayOfNextMonth), head
// only, bulkComplete, separateFrom, notSubject, notDoneBy, grounds, formDefaults, movesDueDate, on-behalf entry
// (in draft_modeler_sections.js); service task, start
// event and timer sections are in draft_modeler_sections.js. The choices (departments,
// forms, operators, use cases, grounds panels) come from the page's JSON block. Every change goes through
// bpmn-js' modeling commands (updateProperties / updateModdleProperties), so undo and redo cover it.
(function (root) {
  'use strict';

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null || value === false) { return; }
      if (key === 'text') { el.textContent = value; } else if (key.indexOf('on') === 0) {
        el.addEventListener(key.slice(2), value);
      } else { el.setAttribute(key, value === true ? '' : value); }
    });
    (children || []).forEach(function (child) {
      if (child) { el.appendChild(typeof child === 'string' ? document.createTextNode(child) : child); }
    });
    return el;
  }

  function splitList(value) {
    return (value || '').split(',').map(function (s) { return s.trim(); }).filter(Boolean);
  }

  root.AuxpolicePanel = function (modeler, host, data) {
    var L = data.labels, C = data.choices, english = data.lang === 'en';
    var moddle = modeler.get('moddle'), modeling = modeler.get('modeling');
    var registry = modeler.get('elementRegistry');
    var current = null;
    var pending = {};  // a due-rule mode chosen before its value is typed, by element id

    function named(item) { return english ? (item.en || item.zh) : item.zh; }

    // --- extension elements -------------------------------------------------------------------------
    function findExt(bo, type) {
      var values = (bo.extensionElements && bo.extensionElements.get('values')) || [];
      return values.filter(function (v) { return v.$instanceOf(type); })[0];
    }
    function ensureExt(element, bo, type, attrs) {
      var found = findExt(bo, type);
      if (found) { return found; }
      var ext = bo.extensionElements;
      if (!ext) {
        ext = moddle.create('bpmn:ExtensionElements', { values: [] });
        ext.$parent = bo;
        modeling.updateModdleProperties(element, bo, { extensionElements: ext });
      }
      found = moddle.create(type, attrs || {});
      found.$parent = ext;
      modeling.updateModdleProperties(element, ext, { values: ext.get('values').concat([found]) });
      return found;
    }
    function getProp(bo, name) {
      var props = findExt(bo, 'spiffworkflow:Properties');
      var found = props && props.get('properties').filter(function (p) { return p.name === name; })[0];
      return found ? (found.value || '') : '';
    }
    function setProp(element, bo, name, value) {
      value = value === undefined || value === null ? '' : String(value).trim();
      if (value === getProp(bo, name)) { return; }
      var props = findExt(bo, 'spiffworkflow:Properties');
      if (!props && !value) { return; }
      props = props || ensureExt(element, bo, 'spiffworkflow:Properties', { properties: [] });
      var list = props.get('properties');
      var found = list.filter(function (p) { return p.name === name; })[0];
      if (!value) {
        modeling.updateModdleProperties(element, props, { properties: list.filter(function (p) { return p !== found; }) });
      } else if (found) {
        modeling.updateModdleProperties(element, found, { value: value });
      } else {
        var created = moddle.create('spiffworkflow:Property', { name: name, value: value });
        created.$parent = props;
        modeling.updateModdleProperties(element, props, { properties: list.concat([created]) });
      }
    }

    // --- controls ------------------------------------------------------------------------------------
    function field(id, label, control, hint) {
      control.id = control.id || id;
      return h('div', { 'class': 'panel-field' }, [h('label', { 'for': control.id, text: label }), control,
        hint ? h('p', { 'class': 'help', text: hint }) : null]);
    }
    function select(id, options, value, onchange) {
      var el = h('select', { id: id, onchange: function () { onchange(el.value); } });
      options.forEach(function (opt) {
        if (opt.group) {
          var group = h('optgroup', { label: opt.group });
          opt.options.forEach(function (o) { group.appendChild(h('option', { value: o.value, text: o.label })); });
          el.appendChild(group);
        } else { el.appendChild(h('option', { value: opt.value, text: opt.label })); }
      });
      el.value = value;
      return el;
    }
    function text(id, value, onchange, attrs) {
      var el = h('input', Object.assign({ type: 'text', id: id, value: value }, attrs || {}));
      el.addEventListener('change', function () { onchange(el.value); });
      return el;
    }
    function checkbox(id, label, checked, onchange) {
      var box = h('input', { type: 'checkbox', id: id, checked: checked });
      box.addEventListener('change', function () { onchange(box.checked); });
      return h('div', { 'class': 'panel-check' }, [box, h('label', { 'for': id, text: label })]);
    }
    function checkList(id, legend, items, chosen, onchange) {
      var set = chosen.slice();
      var boxes = items.map(function (item, i) {
        return checkbox(id + '-' + i, item.label, set.indexOf(item.value) >= 0, function (on) {
          set = set.filter(function (v) { return v !== item.value; });
          if (on) { set.push(item.value); }
          onchange(set);  // in the order declared, a newly ticked one last: grounds show in this order
        });
      });
      return h('fieldset', { 'class': 'panel-field', id: id }, [h('legend', { text: legend })].concat(boxes));
    }
    function formOptions(value) {
      var options = [{ value: '', label: L.none }].concat(C.forms.map(function (f) {
        return { value: f.name, label: named(f) + ' · ' + f.name };
      }));
      if (value && !C.forms.some(function (f) { return f.name === value; })) { options.push({ value: value, label: value }); }
      return options;
    }

    // --- sections ------------------------------------------------------------------------------------
    function laneSection(element, bo) {
      var value = bo.name || '';
      var known = C.departments.concat(C.templates).some(function (d) { return d.code === value; });
      var options = [{ value: '', label: L.choose },
        { group: L.departments, options: C.departments.map(function (d) { return { value: d.code, label: named(d) }; }) },
        { group: L.templates, options: C.templates.map(function (d) { return { value: d.code, label: named(d) }; }) }];
      if (value && !known) { options.push({ value: value, label: L.unregistered + ': ' + value }); }
      return [field('panel-department', L.department, select('panel-department', options, value, function (v) {
        modeling.updateProperties(element, { name: v });
      }))];
    }

    function processOf(bo) {
      var p = bo.$parent;
      while (p && !p.$instanceOf('bpmn:Process') && !p.$instanceOf('bpmn:SubProcess')) { p = p.$parent; }
      return p;
    }

    function userTaskSection(element, bo) {
      var out = [];
      var form = getProp(bo, 'formJsonSchemaFilename');
      out.push(field('panel-form', L.form, select('panel-form', formOptions(form), form, function (v) {
        setProp(element, bo, 'formJsonSchemaFilename', v);
      })));
      // The due rule: none, days after the task is ready, or a time from the data.
      var days = getProp(bo, 'dueInDays'), variable = getProp(bo, 'dueAtVariable');
      var mode = pending[element.id] || (days ? 'days' : variable ? 'variable' : 'none');
      out.push(field('panel-due-mode', L.due, select('panel-due-mode', [
        { value: 'none', label: L.due_none }, { value: 'days', label: L.due_days },
        { value: 'variable', label: L.due_variable }], mode, function (v) {
        pending[element.id] = v;
        if (v !== 'days') { setProp(element, bo, 'dueInDays', ''); }
        if (v !== 'variable') { setProp(element, bo, 'dueAtVariable', ''); setProp(element, bo, 'dueDayOfNextMonth', ''); }
        render(element);
      })));
      if (mode === 'days') {
        out.push(field('panel-due-days', L.due_days + ' (' + L.due_days_unit + ')', text('panel-due-days', days,
          function (v) { setProp(element, bo, 'dueInDays', v); }, { type: 'number', min: '1', step: '1' })));
      } else if (mode === 'variable') {
        out.push(field('panel-due-variable', L.data_key, text('panel-due-variable', variable,
          function (v) { setProp(element, bo, 'dueAtVariable', v); })));
        out.push(dueDayField(element, bo));
      }
      out.push(checkbox('panel-head-only', L.head_only, getProp(bo, 'headOnly').toLowerCase() === 'true',
        function (on) { setProp(element, bo, 'headOnly', on ? 'true' : ''); }));
      // `bulkComplete`: its open tasks are completed in a table, a row each (docs/design.md, "Bulk scoring").
      out.push(checkbox('panel-bulk-complete', L.bulk_complete, getProp(bo, 'bulkComplete').toLowerCase() === 'true',
        function (on) { setProp(element, bo, 'bulkComplete', on ? 'true' : ''); }));
      var process = processOf(bo);
      var others = registry.filter(function (e) {
        return e.type === 'bpmn:UserTask' && e.id !== element.id && processOf(e.businessObject) === process;
      }).map(function (e) {
        var shown = (english && getProp(e.businessObject, 'nameEn')) || e.businessObject.name || e.id;
        return { value: e.id, label: shown + ' (' + e.id + ')' };
      });
      out.push(checkList('panel-separate-from', L.separate_from, others, splitList(getProp(bo, 'separateFrom')),
        function (ids) { setProp(element, bo, 'separateFrom', ids.join(', ')); }));
      var subject = getProp(bo, 'notSubject');
      out.push(field('panel-not-subject', L.not_subject, text('panel-not-subject', subject === '-' ? '' : subject,
        function (v) { setProp(element, bo, 'notSubject', v); }, { disabled: subject === '-' })));
      out.push(checkbox('panel-not-subject-waived', L.not_subject_waived, subject === '-', function (on) {
        setProp(element, bo, 'notSubject', on ? '-' : '');
      }));
      // `notDoneBy`: a data key naming a user of an earlier instance who may not do this task (a proposer).
      out.push(field('panel-not-done-by', L.not_done_by, text('panel-not-done-by', getProp(bo, 'notDoneBy'),
        function (v) { setProp(element, bo, 'notDoneBy', v); })));
      out.push(checkList('panel-grounds', L.grounds, C.grounds.map(function (g) {
        return { value: g.name, label: named(g) };
      }), splitList(getProp(bo, 'grounds')), function (names) { setProp(element, bo, 'grounds', names.join(', ')); }));
      out.push(defaultsSection(element, bo, form));
      out.push(movesDueSection(element, bo, form, others));
      out.push(sections.onBehalf(helpers, element, bo));  // draft_modeler_sections.js
      return out;
    }

    // `dueDayOfNextMonth`: due at the end of day N (1-28, a day every month has) of the month after the task's
    // `month`; the service writes that time into the data key above. Another value is refused here, as the
    // lint refuses it on publishing, and nothing is written until it is corrected.
    function dueDayField(element, bo) {
      var error = h('p', { 'class': 'error', id: 'panel-due-day-error', role: 'alert', text: L.due_day_invalid, hidden: true });
      var input = text('panel-due-day', getProp(bo, 'dueDayOfNextMonth'), function (v) {
        var value = v.trim(), ok = value === '' || (/^[0-9]+$/.test(value) && +value >= 1 && +value <= 28);
        error.hidden = ok;
        input.setAttribute('aria-invalid', ok ? 'false' : 'true');
        if (ok) { setProp(element, bo, 'dueDayOfNextMonth', value ? String(+value) : ''); }
      }, { type: 'number', min: '1', max: '28', step: '1', 'aria-describedby': 'panel-due-day-help panel-due-day-error' });
      var wrap = field('panel-due-day', L.due_day_next_month, input, L.due_day_hint);
      wrap.querySelector('.help').id = 'panel-due-day-help';
      wrap.appendChild(error);
      return wrap;
    }

    // `movesDueDate`: completing this follow-up moves the due date of another user task to a date of its form.
    function movesDueSection(element, bo, formName, others) {
      var parts = getProp(bo, 'movesDueDate').split(':');
      var key = element.id + ':moves';
      var chosen = pending[key] || [(parts[0] || '').trim(), (parts[1] || '').trim()];
      var form = C.forms.filter(function (f) { return f.name === formName; })[0];
      var dates = form ? form.fields.filter(function (f) { return f.format === 'date'; }) : [];
      function write() {
        pending[key] = chosen;
        if (!chosen[0] || chosen[1]) { setProp(element, bo, 'movesDueDate', chosen[0] ? chosen[0] + ': ' + chosen[1] : ''); }
      }
      var taskOptions = [{ value: '', label: L.none }].concat(others);
      if (chosen[0] && !others.some(function (o) { return o.value === chosen[0]; })) { taskOptions.push({ value: chosen[0], label: chosen[0] }); }
      var fieldOptions = [{ value: '', label: L.choose }].concat(dates.map(function (f) {
        return { value: f.name, label: named(f) + ' · ' + f.name };
      }));
      if (chosen[1] && !dates.some(function (f) { return f.name === chosen[1]; })) { fieldOptions.push({ value: chosen[1], label: chosen[1] }); }
      var taskSelect = select('panel-moves-task', taskOptions, chosen[0], function (v) {
        chosen = [v, v ? chosen[1] || (dates.length === 1 ? dates[0].name : '') : ''];
        write();
        render(element);
      });
      var fieldSelect = select('panel-moves-field', fieldOptions, chosen[1], function (v) { chosen = [chosen[0], v]; write(); });
      fieldSelect.disabled = !chosen[0];
      return h('fieldset', { 'class': 'panel-field', id: 'panel-moves-due' }, [h('legend', { text: L.moves_due_date }),
        field('panel-moves-task', L.moves_due_task, taskSelect), field('panel-moves-field', L.moves_due_field, fieldSelect)]);
    }

    function defaultsSection(element, bo, formName) {
      var form = C.forms.filter(function (f) { return f.name === formName; })[0];
      var fields = form ? form.fields : [];
      var pairs = splitList(getProp(bo, 'formDefaults')).map(function (item) {
        var parts = item.split(':');
        return [parts[0].trim(), (parts[1] || '').trim()];
      });
      function write(next) {
        setProp(element, bo, 'formDefaults', next.filter(function (p) { return p[0] && p[1]; })
          .map(function (p) { return p[0] + ': ' + p[1]; }).join(', '));
      }
      var rows = pairs.map(function (pair, i) {
        var options = [{ value: '', label: L.choose }].concat(fields.map(function (f) {
          return { value: f.name, label: named(f) + ' · ' + f.name };
        }));
        if (pair[0] && !fields.some(function (f) { return f.name === pair[0]; })) { options.push({ value: pair[0], label: pair[0] }); }
        var fieldSelect = select('panel-default-field-' + i, options, pair[0], function (v) {
          pairs[i][0] = v; write(pairs);
        });
        var key = text('panel-default-key-' + i, pair[1], function (v) { pairs[i][1] = v; write(pairs); });
        return h('div', { 'class': 'panel-row' }, [
          h('label', { 'for': fieldSelect.id, 'class': 'sr-only', text: L.field }), fieldSelect, ' ← ',
          h('label', { 'for': key.id, 'class': 'sr-only', text: L.data_key }), key,
          h('button', { type: 'button', 'class': 'panel-remove', text: L.remove, onclick: function () {
            write(pairs.filter(function (_, j) { return j !== i; })); render(element);
          } })]);
      });
      var add = h('button', { type: 'button', id: 'panel-default-add', text: L.add, onclick: function () {
        rows.push(null); host.querySelector('#panel-defaults').insertBefore(newDefaultRow(), add);
      } });
      function newDefaultRow() {
        var i = pairs.length;
        pairs.push(['', '']);
        var options = [{ value: '', label: L.choose }].concat(fields.map(function (f) {
          return { value: f.name, label: named(f) + ' · ' + f.name };
        }));
        var fieldSelect = select('panel-default-field-' + i, options, '', function (v) { pairs[i][0] = v; write(pairs); });
        var key = text('panel-default-key-' + i, '', function (v) { pairs[i][1] = v; write(pairs); });
        return h('div', { 'class': 'panel-row' }, [
          h('label', { 'for': fieldSelect.id, 'class': 'sr-only', text: L.field }), fieldSelect, ' ← ',
          h('label', { 'for': key.id, 'class': 'sr-only', text: L.data_key }), key]);
      }
      return h('fieldset', { 'class': 'panel-field', id: 'panel-defaults' }, [h('legend', { text: L.form_defaults })]
        .concat(rows).concat([add]));
    }

    // --- the panel -----------------------------------------------------------------------------------
    function render(element) {
      var focused = document.activeElement && host.contains(document.activeElement) ? document.activeElement.id : null;
      current = element;
      host.textContent = '';
      if (!element || element.type === 'label' || !element.businessObject) {
        host.appendChild(h('p', { 'class': 'help', id: 'panel-empty', text: L.nothing }));
        return;
      }
      var bo = element.businessObject, type = bo.$type;
      var timer = (bo.eventDefinitions || []).filter(function (d) { return d.$type === 'bpmn:TimerEventDefinition'; })[0];
      var title = type === 'bpmn:Lane' ? L.lane : type === 'bpmn:UserTask' ? L.user_task
        : type === 'bpmn:ServiceTask' ? L.service_task : type === 'bpmn:StartEvent' ? L.start_event
          : timer ? L.timer_event : type === 'bpmn:Participant' ? L.process : L.element;
      var parts = [h('h2', { text: title }), h('p', { 'class': 'muted', id: 'panel-element-id', text: L.id + ': ' + element.id })];
      if (type === 'bpmn:Lane') {
        parts = parts.concat(laneSection(element, bo));
      } else {
        var target = type === 'bpmn:Participant' && bo.processRef ? bo.processRef : bo;
        parts.push(field('panel-name-en', L.name_en, text('panel-name-en', getProp(target, 'nameEn'), function (v) {
          setProp(element, target, 'nameEn', v);
        })));
      }
      if (type === 'bpmn:UserTask') { parts = parts.concat(userTaskSection(element, bo)); }
      if (type === 'bpmn:ServiceTask') { parts = parts.concat(sections.serviceTask(helpers, element, bo)); }
      if (type === 'bpmn:StartEvent') { parts = parts.concat(sections.start(helpers, element, bo)); }
      if (timer) { parts = parts.concat(sections.timer(helpers, element, bo, timer)); }
      if (type === 'bpmn:BusinessRuleTask') { parts = parts.concat(sections.decision(helpers, element, bo)); }
      if (type === 'bpmn:ScriptTask') { parts = parts.concat(sections.script(helpers, element, bo)); }
      var source = bo.sourceRef && bo.sourceRef.$type;
      if (type === 'bpmn:SequenceFlow' && /Exclusive|Inclusive/.test(source || '')) {
        parts = parts.concat(sections.condition(helpers, element, bo));
      }
      parts.forEach(function (part) { host.appendChild(part); });
      if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
    }

    var sections = root.AuxpolicePanelSections;
    var helpers = {
      L: L, C: C, moddle: moddle, modeling: modeling, named: named, pending: pending, h: h, splitList: splitList,
      field: field, select: select, text: text, checkbox: checkbox, checkList: checkList, formOptions: formOptions,
      getProp: getProp, setProp: setProp, findExt: findExt, ensureExt: ensureExt, render: render
    };
    modeler.on('selection.changed', function (event) { render(event.newSelection[0] || null); });
    modeler.on('elements.changed', function (event) {
      if (current && event.elements.some(function (e) { return e.id === current.id; })) {
        render(registry.get(current.id) || null);
      }
    });
    render(null);
    return { render: render, getProp: getProp };
  };
}(window));
