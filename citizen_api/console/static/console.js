// The console's enhancements; every page works without them.
// - "Select all" for bulk actions on the queue;
// - picking a reply template fills the status form in place;
// - the ticket's map (Leaflet, served by this app): its area and its point;
// - the alert form's map: click to add a zone's points; the GeoJSON field follows.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("click", function () {
      var boxes = document.querySelectorAll('#bulk input[type="checkbox"][name="code"]');
      var every = Array.prototype.every.call(boxes, function (b) { return b.checked; });
      boxes.forEach(function (b) { b.checked = !every; });
    });
  }

  var template = document.getElementById("r-template");
  if (template) {
    template.addEventListener("change", function () {
      var option = template.options[template.selectedIndex];
      var note = document.getElementById("s-public");
      var status = document.getElementById("s-status");
      if (note) { note.value = option.dataset.text || ""; }
      if (status && option.dataset.status) {
        Array.prototype.forEach.call(status.options, function (o) {
          if (o.value === option.dataset.status) { status.value = o.value; }
        });
      }
    });
  }

  var overview = document.getElementById("overview");
  if (overview && window.L) {
    var big = L.map(overview, { attributionControl: !!overview.dataset.tiles })
      .setView([33.57, -7.59], 11);
    if (overview.dataset.tiles) {
      L.tileLayer(overview.dataset.tiles, { attribution: overview.dataset.attribution || "" }).addTo(big);
    }
    var json = function (url) {
      return fetch(url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; });
    };
    json(overview.dataset.areas).then(function (areas) {
      if (!areas) { return; }
      var layer = L.geoJSON(areas, {
        style: { color: "#0a4a82", weight: 1.5, fillOpacity: 0.04 },
        onEachFeature: function (f, l) { l.bindTooltip(f.properties.name); }
      }).addTo(big);
      big.fitBounds(layer.getBounds(), { animate: false });
    });
    json(overview.dataset.points).then(function (points) {
      if (!points) { return; }
      L.geoJSON(points, {
        pointToLayer: function (f, at) {
          return L.circleMarker(at, { radius: 6, color: "#a4161a", weight: 2, fillOpacity: 0.6 });
        },
        onEachFeature: function (f, l) {
          var link = document.createElement("a");
          link.href = f.properties.url;
          link.textContent = f.properties.code + " · " + f.properties.status_label;
          l.bindPopup(link);
        }
      }).addTo(big);
      var count = document.getElementById("overview-count");
      if (count) {
        count.textContent = overview.dataset.count.replace("__N__", points.features.length) +
          (points.truncated ? " " + overview.dataset.truncated : "");
      }
    });
  }

  var map = document.getElementById("map");
  if (map && window.L) {
    var lat = parseFloat(map.dataset.lat), lng = parseFloat(map.dataset.long);
    var view = L.map(map, { attributionControl: !!map.dataset.tiles }).setView([lat, lng], 15);
    if (map.dataset.tiles) {
      L.tileLayer(map.dataset.tiles, { attribution: map.dataset.attribution || "" }).addTo(view);
    }
    L.circleMarker([lat, lng], { radius: 8, color: "#a4161a", weight: 3 }).addTo(view);
    if (map.dataset.area) {
      fetch(map.dataset.area, { headers: { Accept: "application/geo+json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (area) {
          if (!area) { return; }
          var outline = L.geoJSON(area, { style: { color: "#0a4a82", weight: 2, fillOpacity: 0.05 } });
          outline.addTo(view);
          // The whole area around the point, so the point has a context without tiles.
          view.fitBounds(outline.getBounds(), { maxZoom: 16, padding: [8, 8], animate: false });
        })
        .catch(function () {});
    }
  }
  var draw = document.getElementById("draw");
  if (draw && window.L) {
    var field = document.getElementById(draw.dataset.field);
    var canvas = L.map(draw, { attributionControl: !!draw.dataset.tiles, doubleClickZoom: false })
      .setView([33.57, -7.59], 11);
    if (draw.dataset.tiles) {
      L.tileLayer(draw.dataset.tiles, { attribution: draw.dataset.attribution || "" }).addTo(canvas);
    }
    var points = [];  // [lat, lng], in the order clicked; the ring closes itself
    var zone = L.polygon([], { color: "#a4161a", weight: 2, fillOpacity: 0.15 }).addTo(canvas);
    var corners = L.layerGroup().addTo(canvas);
    var tools = document.createElement("p");
    tools.className = "draw-tools";
    var tool = function (text, action) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = text;
      b.addEventListener("click", action);
      tools.appendChild(b);
      return b;
    };
    var count = document.createElement("span");
    count.id = "draw-count";
    count.setAttribute("role", "status");
    var round = function (v) { return Math.round(v * 1e6) / 1e6; };
    var show = function (write) {
      zone.setLatLngs(points);
      corners.clearLayers();
      points.forEach(function (p) {
        L.circleMarker(p, { radius: 4, color: "#a4161a", weight: 2, fillOpacity: 1 }).addTo(corners);
      });
      count.textContent = draw.dataset.count.replace("__N__", points.length);
      if (!write) { return; }
      if (points.length >= 3) {
        var ring = points.map(function (p) { return [round(p[1]), round(p[0])]; });
        ring.push(ring[0]);
        field.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      } else {
        field.value = "";
      }
    };
    tool(draw.dataset.undo, function () { points.pop(); show(true); });
    tool(draw.dataset.clear, function () { points = []; show(true); });
    tools.appendChild(count);
    draw.parentNode.insertBefore(tools, draw.nextSibling);
    var read = function () {  // what the field holds (typed, pasted, or sent back)
      try {
        var shape = JSON.parse(field.value);
        var ring = shape.coordinates[0].slice(0, -1);
        points = ring.map(function (c) { return [c[1], c[0]]; });
      } catch (e) {
        points = [];
      }
    };
    if (field.value.trim()) { read(); }
    show(false);
    field.addEventListener("change", function () { read(); show(false); });
    canvas.on("click", function (e) {
      points.push([e.latlng.lat, e.latlng.lng]);
      show(true);
    });
    fetch(draw.dataset.areas, { headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (areas) {
        if (!areas) { return; }
        var layer = L.geoJSON(areas, {
          style: { color: "#0a4a82", weight: 1.5, fillOpacity: 0.04 },
          onEachFeature: function (f, l) { l.bindTooltip(f.properties.name); }
        }).addTo(canvas);
        zone.bringToFront();
        canvas.fitBounds(points.length ? zone.getBounds() : layer.getBounds(), { animate: false });
      })
      .catch(function () {});
  }
})();
