// The instance page's process diagram (bpmn-js navigated viewer), a file so the page needs no inline
// script (Content-Security-Policy script-src 'self'). Data comes from the page's JSON block #diagram-data.
(function () {
  var holder = document.getElementById('diagram');
  var source = document.getElementById('diagram-data');
  if (!holder || !source) { return; }
  if (typeof window.BpmnJS !== 'function') { holder.textContent = holder.dataset.missing; return; }
  var diagram = JSON.parse(source.textContent);
  var viewer = new window.BpmnJS({ container: holder });
  viewer.importXML(diagram.bpmn_xml).then(function () {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    Object.keys(diagram.states).forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, 'el-' + diagram.states[id]); }
    });
    // A wide process with lanes is flat: size the box to the diagram's proportions, then fit it in.
    var inner = canvas.viewbox().inner;
    if (inner.width > 0) {
      var height = Math.round(inner.height / inner.width * holder.clientWidth) + 40;
      holder.style.height = Math.min(Math.max(height, 260), 640) + 'px';
      canvas.resized();
    }
    canvas.zoom('fit-viewport', 'auto');
    holder.dataset.ready = 'true';
  }).catch(function (error) {
    holder.textContent = holder.dataset.failed + ' ' + (error && error.message ? error.message : error);
  });
}());
