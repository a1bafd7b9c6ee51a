// The sites on a Leaflet map. The table under the map lists the same sites, so the page works
// without JavaScript and when the tile server cannot be reached (a message says so).
(function () {
  "use strict";
  var element = document.getElementById("sites-map");
  var data = JSON.parse(document.getElementById("sites-geojson").textContent);
  var status = document.getElementById("map-status");
  if (!element || typeof L === "undefined") { return; }
  var map = L.map(element, { scrollWheelZoom: false }).setView([45.05, 7.9], 8);
  var tileUrl = element.dataset.tileUrl;
  if (tileUrl) {
    var failed = 0;
    var layer = L.tileLayer(tileUrl, { maxZoom: 18, attribution: element.dataset.tileAttribution });
    layer.on("tileerror", function () {
      failed += 1;
      if (failed === 1) { status.textContent = element.dataset.noTiles; element.classList.add("no-tiles"); }
    });
    layer.addTo(map);
  } else {
    status.textContent = element.dataset.noTiles;
    element.classList.add("no-tiles");
  }
  var escape = function (text) {
    var span = document.createElement("span"); span.textContent = text || ""; return span.innerHTML;
  };
  var sites = L.geoJSON(data, {
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { radius: 7, color: "#06c", weight: 2, fillOpacity: 0.7 });
    },
    onEachFeature: function (feature, marker) {
      var p = feature.properties;
      marker.bindPopup("<strong>" + escape(p.name) + "</strong><br>" + escape(p.address) + ", " + escape(p.comune) +
        "<br>" + escape(p.watches) + "<br>" + escape(String(p.devices)));
    }
  }).addTo(map);
  if (data.features.length) { map.fitBounds(sites.getBounds(), { padding: [30, 30], maxZoom: 15 }); }
})();
