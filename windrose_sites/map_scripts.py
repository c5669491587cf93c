"""The map's browser-side scripts, hand-written for core Leaflet 1.9 (no plugins, no CDN).

Every text they show (site names, statuses, criterion values) is set with ``textContent``, so
it is never parsed as HTML, whatever a user uploaded. :mod:`windrose_sites.maps` inlines them.
"""

from __future__ import annotations

import json

from branca.element import MacroElement, Template

__all__ = [
    "CARD_JS",
    "LABELS_JS",
    "PAINTED_CARD_JS",
    "PAINTED_SITES_JS",
    "PAINT_HOST_JS",
    "PaintedSites",
    "SiteLabels",
]

#: Builds a site's tooltip (on hover, or on a tap) in the browser with textContent. No popup:
#: a click selects the site, and a popup left open would cover the next site to click. Names,
#: statuses and sources are shown as text, never parsed as HTML, whatever a user uploaded. Row
#: labels are sent once per layer (``__LABELS__``), values once per feature (``p.v``), to keep
#: 10,000 sites small.
CARD_JS = """
    function (feature, layer) {
        var labels = __LABELS__;
        function card() {
            var p = feature.properties, div = document.createElement("div");
            var title = document.createElement("b");
            title.textContent = p.name;
            div.appendChild(title);
            var table = document.createElement("table");
            p.v.forEach(function (value, i) {
                var tr = table.insertRow(), th = document.createElement("th");
                th.textContent = labels[i];
                tr.appendChild(th);
                tr.insertCell().textContent = value;
            });
            div.appendChild(table);
            return div;
        }
        layer.bindTooltip(card, {sticky: true});
    }
"""


#: Placing and decluttering the name labels (``tips``, best-ranked first) of ``layer``, shared
#: by :data:`LABELS_JS` and :data:`PAINTED_SITES_JS`. A label goes right of its site, or left
#: of it where it would leave the map; one that overlaps a better-ranked label is hidden until
#: a zoom makes room. ``declutter`` measures the labels where Leaflet put them (after a zoom,
#: a pan or new labels); ``refresh`` first positions every label anew, for a map laid out at
#: another size (e.g. drawn hidden, then shown). Every label is measured before any is hidden.
_PLACE_LABELS_JS = """
    function place(tip, fresh) {
        var map = layer._map, el = tip.getElement();
        if (fresh) { tip.update(); }
        var r = el.getBoundingClientRect();
        var width = map.getContainer().clientWidth;
        var room = width - map.latLngToContainerPoint(tip.getLatLng()).x - 14;
        var side = r.width > room ? "left" : "right";
        if (tip.options.direction !== side) {
            tip.options.direction = side;
            tip.options.offset = side === "left" ? [-10, 0] : [10, 0];
            tip.update();
            r = el.getBoundingClientRect();
        }
        return r;
    }
    function declutter(fresh) {
        if (!layer._map) { return; }
        var shown = tips.filter(function (tip) { return tip.getElement(); });
        var rects = shown.map(function (tip) { return place(tip, fresh === true); });
        var kept = [];
        shown.forEach(function (tip, k) {
            var r = rects[k], free = kept.every(function (q) {
                return r.right < q.left || r.left > q.right || r.bottom < q.top || r.top > q.bottom;
            });
            tip.getElement().style.visibility = free ? "" : "hidden";
            if (free) { kept.push(r); }
        });
    }
    function refresh() { declutter(true); }
    // A label placed before Leaflet's stylesheet or the font applied was measured at another
    // width (a block as wide as the map, before "white-space: nowrap"), and a "left" label
    // then sat that width left of its site, outside the map: labels are placed again whenever
    // one changes size (``resized`` is the script's ResizeObserver).
    function watch(tip) {
        if (resized && tip.getElement()) { resized.observe(tip.getElement()); }
    }
    function unwatch(tip) {
        if (resized && tip.getElement()) { resized.unobserve(tip.getElement()); }
    }
    // the map's frame, and every label, from when the layer is shown
    function watchAll(map) {
        if (resized) { resized.observe(map.getContainer()); }
        tips.forEach(watch);
    }
"""

#: The name labels' look, added once per map frame; shared by :data:`LABELS_JS` and
#: :data:`PAINTED_SITES_JS`.
_LABEL_STYLE_JS = """
    if (!document.getElementById("windrose-label-style")) {
        var css = document.createElement("style");
        css.id = "windrose-label-style";
        css.textContent = ".leaflet-tooltip.windrose-label{padding:1px 5px;"
            + "font:600 11px/1.35 sans-serif;color:#222;background:rgba(255,255,255,0.85);"
            + "border:1px solid #888;box-shadow:none}"
            + ".leaflet-tooltip.windrose-label:before{display:none}";
        document.head.appendChild(css);
    }
"""

#: Permanent name labels for the points of a sites layer whose feature has ``label``, set as
#: text (``textContent``), in the labels pane (under the sites; it ignores the pointer). After
#: each zoom or pan, a label goes left of its site where it would leave the map, and one that
#: overlaps a better-ranked label (lower ``label_order``) is hidden.
LABELS_JS = """
(function (layer) {
__LABEL_STYLE__
    var group = L.layerGroup(), tips = [];
    layer.eachLayer(function (f) {
        var p = f.feature && f.feature.properties;
        if (!p || p.label === undefined || !f.getLatLng) { return; }
        var text = document.createElement("span");
        text.textContent = p.label;
        var tip = L.tooltip({permanent: true, direction: "right", offset: [10, 0],
                             pane: "windrose-labels", className: "windrose-label"});
        tip.setLatLng(f.getLatLng()).setContent(text);
        tip.windroseOrder = p.label_order;
        tips.push(tip);
        group.addLayer(tip);
    });
    tips.sort(function (a, b) { return a.windroseOrder - b.windroseOrder; });
__PLACE_LABELS__
    var resized = window.ResizeObserver ? new ResizeObserver(refresh) : null;
    function show() {
        var map = layer._map;
        group.addTo(map);
        map.on("zoomend moveend", declutter);
        map.on("resize", refresh);
        // the map's frame gets its final size after the map is built: place labels again then
        watchAll(map);
        setTimeout(refresh, 0);
        refresh();
    }
    layer.on("add", show);
    layer.on("remove", function () {
        layer._map.off("zoomend moveend", declutter);
        layer._map.off("resize", refresh);
        if (resized) { resized.disconnect(); }
        group.remove();
    });
    if (layer._map) { show(); }
})(__LAYER__);
""".replace("__PLACE_LABELS__", _PLACE_LABELS_JS).replace(
    "__LABEL_STYLE__\n", _LABEL_STYLE_JS.lstrip("\n")
)


class SiteLabels(MacroElement):
    """Name labels for the sites layer it is added to (see :data:`LABELS_JS`)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.script(this._parent.get_name()) }}
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "SiteLabels"

    @staticmethod
    def script(layer_name: str) -> str:
        """The labels script for the layer named ``layer_name`` in the page's JavaScript."""
        return LABELS_JS.replace("__LAYER__", layer_name)


# ------------------------------------------------------------------ painted maps (map_paint)

#: The card of a site in a painted map (:mod:`windrose_sites.map_paint`): status and criterion
#: values are the feature's own (``p.v``), score and rank come from the frame's last paint.
PAINTED_CARD_JS = """
    function (feature, layer) {
        var labels = __LABELS__;
        function card() {
            var p = feature.properties, d = window.windrosePainted, i = p.i;
            var score = !d ? "…" : d.s[i] === null ? "not scored (reference or filtered out)"
                : d.s[i].toFixed(3);
            var rank = d && d.r[i] !== null ? String(d.r[i]) : "-";
            var rows = [["Status", p.v[0]], ["Score", score], ["Rank", rank]].concat(
                labels.map(function (label, k) { return [label, p.v[k + 1]]; }));
            var div = document.createElement("div"), title = document.createElement("b");
            title.textContent = p.name;
            div.appendChild(title);
            var table = document.createElement("table");
            rows.forEach(function (row) {
                var tr = table.insertRow(), th = document.createElement("th");
                th.textContent = row[0];
                tr.appendChild(th);
                tr.insertCell().textContent = row[1];
            });
            div.appendChild(table);
            return div;
        }
        layer.bindTooltip(card, {sticky: true});
    }
"""

#: A painted sites layer: registers ``paint`` with the app's page (the map's frame is a
#: same-origin child of it) under the map's key, and applies the page's last paint for that
#: key. A paint restyles the sites in place, sets the name labels (placed and decluttered as
#: in :data:`LABELS_JS`) and the legend's range; one for another static part (its token
#: differs) is ignored.
PAINTED_SITES_JS = """
(function (layer, key, token) {
__LABEL_STYLE__
    var group = L.layerGroup(), tips = [], points = {};
    layer.eachLayer(function (f) {
        var p = f.feature && f.feature.properties;
        if (p && f.getLatLng) { points[p.i] = f; }
    });
__PLACE_LABELS__
    function setLabels(indices) {
        tips.forEach(unwatch);
        group.clearLayers();
        tips = [];
        indices.forEach(function (i) {
            var f = points[i];
            if (!f) { return; }
            var text = document.createElement("span");
            text.textContent = f.feature.properties.label;
            var tip = L.tooltip({permanent: true, direction: "right", offset: [10, 0],
                                 pane: "windrose-labels", className: "windrose-label"});
            tip.setLatLng(f.getLatLng()).setContent(text);
            tips.push(tip);
            group.addLayer(tip);
            watch(tip);
        });
        if (layer._map) { declutter(); }  // new labels: placed as they were added
    }
    function paint(data) {
        if (!data || data.t !== token) { return; }
        window.windrosePainted = data;
        layer.eachLayer(function (f) {
            var p = f.feature && f.feature.properties, c = p && data.c[p.i];
            if (!p || !f.setStyle || f.options.fillColor === c) { return; }
            p.style.fillColor = c;
            if (f._path) {  // SVG: the one attribute that changes (setStyle writes ten)
                f.options.fillColor = c;
                f._path.setAttribute("fill", c);
            } else {
                f.setStyle({fillColor: c});
            }
        });
        setLabels(data.l);
        var text = {"windrose-vmin": data.lg[0].toFixed(2), "windrose-vmax": data.lg[1].toFixed(2),
                    "windrose-legend-title": data.lg[2]};
        Object.keys(text).forEach(function (cls) {
            document.querySelectorAll("." + cls).forEach(function (e) {
                e.textContent = text[cls];
            });
        });
        // when the repainted map is next drawn (benchmarks/bench_payload.py reads it)
        var drawn = function () { window.windrosePaintedAt = Date.now(); };
        if (window.requestAnimationFrame) { window.requestAnimationFrame(drawn); } else { drawn(); }
    }
    var resized = window.ResizeObserver ? new ResizeObserver(refresh) : null;
    function show() {
        var map = layer._map;
        group.addTo(map);
        map.on("zoomend moveend", declutter);
        map.on("resize", refresh);
        watchAll(map);
        setTimeout(refresh, 0);
        refresh();
    }
    layer.on("add", show);
    layer.on("remove", function () {
        layer._map.off("zoomend moveend", declutter);
        layer._map.off("resize", refresh);
        if (resized) { resized.disconnect(); }
        group.remove();
    });
    if (layer._map) { show(); }
    try {
        var host = window.parent;
        host.windroseMaps = host.windroseMaps || {};
        host.windroseMaps[key] = paint;
        // after this script: the legend below the layer exists by then
        setTimeout(function () { paint(host.windrosePaint && host.windrosePaint[key]); }, 0);
    } catch (e) {
        // the app's page is out of reach (not a same-origin frame): the sites stay grey
    }
})(__LAYER__, __KEY__, __TOKEN__);
""".replace("__PLACE_LABELS__", _PLACE_LABELS_JS).replace(
    "__LABEL_STYLE__\n", _LABEL_STYLE_JS.lstrip("\n")
)

#: Runs in the app's page (``st.html``): keeps the paint of map ``__KEY__`` for a frame that
#: loads later, and hands it to the frame already drawn, if any.
PAINT_HOST_JS = """
(function (key, data) {
    window.windrosePaint = window.windrosePaint || {};
    window.windrosePaint[key] = data;
    var apply = window.windroseMaps && window.windroseMaps[key];
    if (apply) {
        try { apply(data); } catch (e) { delete window.windroseMaps[key]; }
    }
})(__KEY__, __PAINT__);
"""


class PaintedSites(MacroElement):
    """Paint and name labels for the sites layer it is added to (see :data:`PAINTED_SITES_JS`)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.script(this._parent.get_name()) }}
        {% endmacro %}
        """
    )

    def __init__(self, key: str, token: str):
        super().__init__()
        self._name = "PaintedSites"
        self.key = key
        self.token = token

    def script(self, layer_name: str) -> str:
        """The script for the layer named ``layer_name`` in the page's JavaScript."""
        return (
            PAINTED_SITES_JS.replace("__LAYER__", layer_name)
            .replace("__KEY__", json.dumps(self.key).replace("<", "\\u003c"))
            .replace("__TOKEN__", json.dumps(self.token))
        )
