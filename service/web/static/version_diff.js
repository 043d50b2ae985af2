// The comparison of two versions (issue 14, point 4): each .diff-diagram holder shows one version's diagram
// (bpmn-js navigated viewer) with its elements marked added, changed or removed, each also labelled with a
// word (state is never shown by colour alone). A file, so the page needs no inline script (CSP).
(function () {
  var holders = document.querySelectorAll('.diff-diagram');
  Array.prototype.forEach.call(holders, function (holder) {
    var source = document.getElementById(holder.dataset.source);
    if (!source) { return; }
    if (typeof window.BpmnJS !== 'function') { holder.textContent = holder.dataset.missing; return; }
    var data = JSON.parse(source.textContent);
    var viewer = new window.BpmnJS({ container: holder });
    viewer.importXML(data.bpmn_xml).then(function () {
      var canvas = viewer.get('canvas');
      var registry = viewer.get('elementRegistry');
      var overlays = viewer.get('overlays');
      var marked = [];
      Object.keys(data.markers).forEach(function (id) {
        var element = registry.get(id);
        if (!element) { return; }
        var status = data.markers[id];
        canvas.addMarker(id, 'diff-' + status);
        marked.push(id);
        if (element.waypoints || element.type === 'bpmn:Lane') { return; }
        var badge = document.createElement('span');
        badge.className = 'diff-badge diff-' + status;
        badge.textContent = data.badges[status] || status;
        overlays.add(id, 'diff-badge', { position: { top: -12, left: 0 }, html: badge });
      });
      holder.dataset.marked = marked.sort().join(' ');
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
  });
}());
