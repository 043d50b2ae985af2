// The properties panel's sections for service tasks (operator, result variable, parameters), start events
// (startedBy, start form), timers (type, expression, mayEndEarly), business rule tasks (the decision), script
// tasks (the script) and flows out of gateways (the condition); draft_modeler_panel.js calls them with
// its helpers ``p`` (controls, extension access, choices ``p.C`` and labels ``p.L``). Loaded before it.
(function (root) {
  'use strict';
  var sections = {};

  sections.serviceTask = function (p, element, bo) {
    var operator = p.findExt(bo, 'spiffworkflow:ServiceTaskOperator');
    function ensure() {
      return operator || (operator = p.ensureExt(element, bo, 'spiffworkflow:ServiceTaskOperator', {}));
    }
    var name = operator ? (operator.get('id') || '') : '';
    var options = [{ value: '', label: p.L.choose }].concat(p.C.operators.map(function (o) {
      return { value: o.name, label: o.doc ? o.name + ' — ' + o.doc : o.name };
    }));
    if (name && !p.C.operators.some(function (o) { return o.name === name; })) { options.push({ value: name, label: name }); }
    var out = [p.field('panel-operator', p.L.operator, p.select('panel-operator', options, name, function (v) {
      p.modeling.updateModdleProperties(element, ensure(), { id: v || undefined });
    }))];
    out.push(p.field('panel-result-variable', p.L.result_variable, p.text('panel-result-variable',
      operator ? (operator.get('resultVariable') || '') : '', function (v) {
        p.modeling.updateModdleProperties(element, ensure(), { resultVariable: v.trim() || undefined });
      })));
    var list = operator && operator.get('parameterList');
    var params = list ? list.get('parameters') : [];
    function ensureList() {
      var op = ensure();
      if (!op.get('parameterList')) {
        var created = p.moddle.create('spiffworkflow:Parameters', { parameters: [] });
        created.$parent = op;
        p.modeling.updateModdleProperties(element, op, { parameterList: created });
      }
      return op.get('parameterList');
    }
    var rows = params.map(function (param, i) {
      var idInput = p.text('panel-param-id-' + i, param.get('id') || '', function (v) {
        p.modeling.updateModdleProperties(element, param, { id: v.trim() });
      });
      var valueInput = p.text('panel-param-value-' + i, param.get('value') || '', function (v) {
        p.modeling.updateModdleProperties(element, param, { value: v, type: param.get('type') || 'any' });
      });
      return p.h('div', { 'class': 'panel-row' }, [
        p.h('label', { 'for': idInput.id, 'class': 'sr-only', text: p.L.parameter_name }), idInput, ' = ',
        p.h('label', { 'for': valueInput.id, 'class': 'sr-only', text: p.L.parameter_value }), valueInput,
        p.h('button', { type: 'button', 'class': 'panel-remove', text: p.L.remove, onclick: function () {
          p.modeling.updateModdleProperties(element, list, { parameters: params.filter(function (q) { return q !== param; }) });
          p.render(element);
        } })]);
    });
    var add = p.h('button', { type: 'button', id: 'panel-param-add', text: p.L.add, onclick: function () {
      var target = ensureList();
      var created = p.moddle.create('spiffworkflow:Parameter', { id: 'param' + (target.get('parameters').length + 1), type: 'any', value: '' });
      created.$parent = target;
      p.modeling.updateModdleProperties(element, target, { parameters: target.get('parameters').concat([created]) });
      p.render(element);
    } });
    out.push(p.h('fieldset', { 'class': 'panel-field', id: 'panel-parameters' },
      [p.h('legend', { text: p.L.parameters + ' (' + p.L.parameter_name + ' = ' + p.L.parameter_value + ')' })].concat(rows).concat([add])));
    return out;
  };

  sections.start = function (p, element, bo) {
    var declared = p.getProp(bo, 'startedBy');
    var kind = declared.split(':')[0], rest = declared.indexOf(':') >= 0 ? declared.slice(declared.indexOf(':') + 1) : '';
    kind = p.pending[element.id + ':start'] || kind;
    var out = [p.field('panel-started-by', p.L.started_by, p.select('panel-started-by', [
      { value: '', label: p.L.choose }, { value: 'usecase', label: p.L.started_usecase },
      { value: 'departments', label: p.L.started_departments }, { value: 'heads', label: p.L.started_heads },
      { value: 'callActivity', label: p.L.started_call }], kind, function (v) {
      p.pending[element.id + ':start'] = v;
      p.setProp(element, bo, 'startedBy', v === 'callActivity' ? v : '');
      p.render(element);
    }))];
    if (kind === 'usecase') {
      out.push(p.field('panel-use-case', p.L.use_case, p.select('panel-use-case', [{ value: '', label: p.L.choose }]
        .concat(p.C.use_cases.map(function (u) { return { value: u, label: u }; })), rest, function (v) {
        p.setProp(element, bo, 'startedBy', v ? 'usecase:' + v : '');
      })));
    } else if (kind === 'departments' || kind === 'heads') {
      out.push(p.checkList('panel-start-departments', p.L.departments, p.C.departments.map(function (d) {
        return { value: d.code, label: p.named(d) };
      }), p.splitList(rest), function (codes) { p.setProp(element, bo, 'startedBy', codes.length ? kind + ':' + codes.join(',') : ''); }));
    }
    var form = p.getProp(bo, 'formJsonSchemaFilename');
    out.push(p.field('panel-start-form', p.L.start_form, p.select('panel-start-form', p.formOptions(form), form, function (v) {
      p.setProp(element, bo, 'formJsonSchemaFilename', v);
    })));
    return out;
  };

  var TIMER_TYPES = ['timeDate', 'timeDuration', 'timeCycle'];
  sections.timer = function (p, element, bo, timer) {
    var type = TIMER_TYPES.filter(function (t) { return timer.get(t); })[0] || 'timeDate';
    var expression = timer.get(type) ? (timer.get(type).get('body') || '') : '';
    function write(nextType, body) {
      var update = {};
      TIMER_TYPES.forEach(function (t) { update[t] = undefined; });
      var formal = p.moddle.create('bpmn:FormalExpression', { body: body });
      formal.$parent = timer;
      update[nextType] = formal;
      p.modeling.updateModdleProperties(element, timer, update);
    }
    var out = [p.field('panel-timer-type', p.L.timer_type, p.select('panel-timer-type', TIMER_TYPES.map(function (t) {
      return { value: t, label: p.L[t.replace(/[A-Z]/g, function (c) { return '_' + c.toLowerCase(); })] };
    }), type, function (v) { write(v, expression); p.render(element); }))];
    out.push(p.field('panel-timer-expression', p.L.timer_expression, p.text('panel-timer-expression', expression,
      function (v) { write(type, v); })));
    if (type === 'timeDate' && bo.$type !== 'bpmn:StartEvent') {
      out.push(p.checkbox('panel-may-end-early', p.L.may_end_early, p.getProp(bo, 'mayEndEarly') === 'true',
        function (on) { p.setProp(element, bo, 'mayEndEarly', on ? 'true' : ''); }));
    }
    return out;
  };

  // A business rule task calls a decision of the draft's DMN files (spiffworkflow:calledDecisionId).
  sections.decision = function (p, element, bo) {
    var called = p.findExt(bo, 'spiffworkflow:CalledDecisionId');
    var value = called ? (called.get('value') || '').trim() : '';
    var options = [{ value: '', label: p.L.choose }].concat(p.C.decisions.map(function (d) {
      return { value: d.id, label: d.name + ' · ' + d.id + ' (' + d.file + ')' };
    }));
    if (value && !p.C.decisions.some(function (d) { return d.id === value; })) { options.push({ value: value, label: value }); }
    return [p.field('panel-decision', p.L.decision, p.select('panel-decision', options, value, function (v) {
      if (called) {
        p.modeling.updateModdleProperties(element, called, { value: v });
      } else {
        p.ensureExt(element, bo, 'spiffworkflow:CalledDecisionId', { value: v });
      }
    }))];
  };

  // A script task's script, run in the restricted environment (no modules, bounded).
  sections.script = function (p, element, bo) {
    var area = p.h('textarea', { id: 'panel-script', rows: '8', spellcheck: 'false', 'class': 'panel-code' });
    area.value = bo.get('script') || '';
    area.addEventListener('change', function () {
      p.modeling.updateProperties(element, { script: area.value, scriptFormat: bo.get('scriptFormat') || 'python' });
    });
    return [p.field('panel-script', p.L.script, area, p.L.script_hint)];
  };

  // The condition of a flow leaving a gateway (an expression on the task data).
  sections.condition = function (p, element, bo) {
    var condition = bo.get('conditionExpression');
    var input = p.text('panel-condition', condition ? (condition.get('body') || '') : '', function (v) {
      var formal = v.trim() ? p.moddle.create('bpmn:FormalExpression', { body: v.trim() }) : undefined;
      if (formal) { formal.$parent = bo; }
      p.modeling.updateProperties(element, { conditionExpression: formal });
    });
    return [p.field('panel-condition', p.L.condition, input)];
  };

  // `onBehalfBy` / `onBehalfAttachment`: a task of a person's own queue that a department may take and enter
  // for them from their signed paper (an officer without an account), and the file it then requires.
  sections.onBehalf = function (p, element, bo) {
    var by = p.getProp(bo, 'onBehalfBy'), file = p.getProp(bo, 'onBehalfAttachment');
    var departments = p.C.departments.concat(p.C.templates).filter(function (d) { return d.code.indexOf('officer:') !== 0; });
    var byOptions = [{ value: '', label: p.L.none }].concat(departments.map(function (d) { return { value: d.code, label: p.named(d) }; }));
    if (by && !departments.some(function (d) { return d.code === by; })) { byOptions.push({ value: by, label: p.L.unregistered + ': ' + by }); }
    var fileOptions = [{ value: '', label: p.L.none }].concat(p.C.attachments.map(function (a) { return { value: a.name, label: p.named(a) }; }));
    if (file && !p.C.attachments.some(function (a) { return a.name === file; })) { fileOptions.push({ value: file, label: file }); }
    return p.h('fieldset', { 'class': 'panel-field', id: 'panel-on-behalf' }, [p.h('legend', { text: p.L.on_behalf }),
      p.field('panel-on-behalf-by', p.L.on_behalf_by, p.select('panel-on-behalf-by', byOptions, by, function (v) {
        p.setProp(element, bo, 'onBehalfBy', v);
      })),
      p.field('panel-on-behalf-file', p.L.on_behalf_file, p.select('panel-on-behalf-file', fileOptions, file, function (v) {
        p.setProp(element, bo, 'onBehalfAttachment', v);
      }), p.L.on_behalf_hint)]);
  };

  root.AuxpolicePanelSections = sections;
}(window));
