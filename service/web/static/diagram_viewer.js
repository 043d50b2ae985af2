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
    var inner = canvas.viewbox().inner;
    // On a phone the whole process fitted in 390 px is too small to read: draw it at a readable scale on a
    // sheet as large as the diagram, in a box that scrolls (a finger pans it natively), the active step in
    // view first (issue 15, point 2).
    if (inner.width > 0 && holder.clientWidth < 640 && inner.width * 0.7 > holder.clientWidth) {
      var scale = 0.7, margin = 20;
      var sheet = holder.querySelector('.djs-container');
      var width = Math.ceil((inner.width + 2 * margin) * scale);
      var height = Math.ceil((inner.height + 2 * margin) * scale);
      holder.classList.add('diagram-pans');
      holder.style.height = Math.min(height + 16, Math.round(window.innerHeight * 0.6)) + 'px';
      sheet.style.width = width + 'px';
      sheet.style.height = height + 'px';
      canvas.resized();
      canvas.viewbox({ x: inner.x - margin, y: inner.y - margin, width: width / scale, height: height / scale });
      var active = Object.keys(diagram.states).filter(function (id) {
        return diagram.states[id] === 'active' && registry.get(id);
      })[0];
      if (active) {
        var shape = registry.get(active);
        holder.scrollLeft = (shape.x + shape.width / 2 - inner.x + margin) * scale - holder.clientWidth / 2;
        holder.scrollTop = (shape.y + shape.height / 2 - inner.y + margin) * scale - holder.clientHeight / 2;
      }
      holder.dataset.ready = 'true';
      return;
    }
    // A wide process with lanes is flat: size the box to the diagram's proportions, then fit it in.
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
