// The moddle descriptor of SpiffWorkflow's BPMN extensions (namespace spiffworkflow), so the modeler reads
// and writes them as typed elements: properties/property (our keys, docs/design.md "BPMN conventions"),
// serviceTaskOperator with its parameters, and the parser's text elements (calledDecisionId, scripts, ...).
// Every element SpiffWorkflow's parser reads is declared: an undeclared element of a declared namespace
// would be dropped on import, and lost on save. A plain file (no module syntax) for script-src 'self'.
(function (root) {
  function text(name) {
    return { name: name, superClass: ['Element'], properties: [{ name: 'value', type: 'String', isBody: true }] };
  }
  function attrs(name, names, extra) {
    return {
      name: name,
      superClass: ['Element'],
      properties: names.map(function (n) { return { name: n, isAttr: true, type: 'String' }; }).concat(extra || [])
    };
  }
  var descriptor = {
    name: 'SpiffWorkflow',
    prefix: 'spiffworkflow',
    uri: 'http://spiffworkflow.org/bpmn/schema/1.0/core',
    xml: { tagAlias: 'lowerCase' },
    associations: [],
    types: [
      { name: 'Properties', superClass: ['Element'], properties: [{ name: 'properties', type: 'Property', isMany: true }] },
      attrs('Property', ['name', 'value']),
      attrs('ServiceTaskOperator', ['id', 'resultVariable'], [
        { name: 'parameterList', type: 'Parameters' },
        { name: 'retry', type: 'Retry' }
      ]),
      { name: 'Parameters', superClass: ['Element'], properties: [{ name: 'parameters', type: 'Parameter', isMany: true }] },
      attrs('Parameter', ['id', 'type', 'value']),
      attrs('Retry', ['retries', 'retryBackoffBase']),
      text('CalledDecisionId'),
      text('PreScript'),
      text('PostScript'),
      text('MessageVariable'),
      text('PayloadExpression'),
      text('VariableName'),
      text('InstructionsForEndUser'),
      text('InputJson'),
      text('ExpectedOutputJson'),
      { name: 'UnitTests', superClass: ['Element'], properties: [{ name: 'unitTests', type: 'UnitTest', isMany: true }] },
      attrs('UnitTest', ['id'], [
        { name: 'inputJson', type: 'InputJson' },
        { name: 'expectedOutputJson', type: 'ExpectedOutputJson' }
      ])
    ]
  };
  root.AuxpoliceSpiffModdle = descriptor;
  if (typeof module === 'object' && module.exports) { module.exports = descriptor; }
}(typeof window !== 'undefined' ? window : globalThis));
