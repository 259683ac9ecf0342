/**
 * The page's script: reads the chart specs from `#rtbench-report-data` and turns each into
 * a Chart.js chart on the canvas of the same id. It computes nothing: every point, tooltip
 * and fixed tick label was made in Node. It expects `Chart` (the inlined Chart.js), the
 * format.ts functions and axisTickLabel (browser-format.ts) to be defined before it. When
 * every chart is drawn it sets `window.rtbenchReport = { ready: true, charts: <count> }`.
 */
export const BROWSER_SCRIPT = String.raw`
(function () {
  'use strict';
  var specs = JSON.parse(document.getElementById('rtbench-report-data').textContent).charts;
  var FORMAT = {
    durationUs: formatDurationUs,
    bytes: formatBytes,
    count: formatCount,
    ratio: formatRatio,
    perSecond: function (v) { return (Number.isInteger(v) ? formatCount(v) : formatRatio(v)) + '/s'; },
    fraction: function (v, step) { return formatPercent(v, decimals(step * 100)); },
    cpuPercent: function (v, step) { return formatPercent(v / 100, decimals(step)); }
  };
  // Decimals a tick step needs to be written exactly (0.25 → 2, 0.2 → 1, 5 → 0), at most 3.
  function decimals(step) {
    if (!(step > 0)) return 0;
    var text = String(Number(step.toPrecision(6)));
    var dot = text.indexOf('.');
    return dot < 0 ? 0 : Math.min(3, text.length - dot - 1);
  }
  var INK = '#1f2328', MUTED = '#59636e', GRID = '#e8ebef';
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  Chart.defaults.font.size = 12;
  Chart.defaults.color = MUTED;

  // Shades each measurement window behind the lines.
  var bandsPlugin = {
    id: 'rtbenchBands',
    beforeDatasetsDraw: function (chart, args, options) {
      var bands = options.bands || [];
      if (bands.length === 0) return;
      var area = chart.chartArea, x = chart.scales.x, ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = 'rgba(31, 35, 40, ' + Math.max(0.035, 0.08 / bands.length) + ')';
      bands.forEach(function (b) {
        var left = Math.max(area.left, x.getPixelForValue(b.from));
        var right = Math.min(area.right, x.getPixelForValue(b.to));
        if (right > left) ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
      });
      ctx.restore();
    }
  };

  // Marks each fault: a dashed line where it struck, a hatched span while it lasted, its label
  // at the top (labels that would overlap the previous one are left out; the line stays).
  var marksPlugin = {
    id: 'rtbenchMarks',
    afterDatasetsDraw: function (chart, args, options) {
      var marks = options.marks || [];
      if (marks.length === 0) return;
      var area = chart.chartArea, x = chart.scales.x, ctx = chart.ctx, lastLabelEnd = -Infinity;
      ctx.save();
      ctx.font = '11px ' + Chart.defaults.font.family;
      ctx.textBaseline = 'top';
      marks.forEach(function (m) {
        var left = x.getPixelForValue(m.at);
        if (left < area.left || left > area.right) return;
        if (m.until !== undefined) {
          var right = Math.min(area.right, x.getPixelForValue(m.until));
          ctx.globalAlpha = 0.12;
          ctx.fillStyle = m.color;
          ctx.fillRect(left, area.top, Math.max(1, right - left), area.bottom - area.top);
          ctx.globalAlpha = 0.35;
          ctx.strokeStyle = m.color;
          ctx.lineWidth = 1;
          ctx.beginPath();
          for (var h = left - (area.bottom - area.top); h < right; h += 6) {
            var a = Math.max(h, left), b = Math.min(h + (area.bottom - area.top), right);
            if (b <= a) continue;
            ctx.moveTo(a, area.bottom - (a - h));
            ctx.lineTo(b, area.bottom - (b - h));
          }
          ctx.stroke();
        }
        ctx.globalAlpha = 0.9;
        ctx.strokeStyle = m.color;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.moveTo(left, area.top);
        ctx.lineTo(left, area.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
      });
      // Labels last, on a light ground, so no mark's line crosses another's label.
      ctx.globalAlpha = 1;
      marks.forEach(function (m) {
        var left = x.getPixelForValue(m.at), width = ctx.measureText(m.label).width;
        if (left < area.left || left + 4 <= lastLabelEnd || left + 4 + width > area.right) return;
        ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
        ctx.fillRect(left + 2, area.top + 1, width + 4, 14);
        ctx.fillStyle = m.color;
        ctx.fillText(m.label, left + 4, area.top + 2);
        lastLabelEnd = left + 4 + width + 6;
      });
      ctx.restore();
    }
  };

  function axis(a) {
    var fixed = a.ticks ? new Map(a.ticks.map(function (t) { return [t.value, t.label]; })) : null;
    var format = FORMAT[a.format];
    var scale = {
      type: a.scale,
      title: { display: true, text: a.title, color: MUTED },
      grid: { color: GRID },
      border: { color: '#c9d1d9' },
      ticks: {
        color: MUTED,
        maxRotation: 0,
        autoSkipPadding: 14,
        callback: function (value, index, ticks) {
          if (fixed) return fixed.has(value) ? fixed.get(value) : null;
          // The precision a tick needs: its own on a log scale (1, 2, 5 × 10ⁿ), the step on a linear one;
          // a zero tick reads in the axis's unit ("0 ms", not "0 µs": axis-tick-label.ts).
          var step = a.scale === 'logarithmic' ? value : ticks.length > 1 ? Math.abs(ticks[1].value - ticks[0].value) : 0;
          return axisTickLabel(format, value, step, ticks.map(function (t) { return t.value; }));
        }
      }
    };
    if (a.min !== undefined) scale.min = a.min;
    if (a.max !== undefined) scale.max = a.max;
    if (a.format === 'bytes' && a.scale === 'linear') binaryTicks(scale);
    if (a.scale === 'logarithmic' && !fixed) roundLogTicks(scale);
    if (fixed) {
      scale.afterBuildTicks = function (s) {
        s.ticks = a.ticks.filter(function (t) { return t.value >= s.min && t.value <= s.max; }).map(function (t) { return { value: t.value }; });
      };
    }
    return scale;
  }

  // Byte axes step by 1, 2 or 5 × a power of 1024's unit (…, 256 KiB, 512 KiB, 1 MiB) so their
  // labels come out round, instead of Chart.js's decimal steps (48.8 KiB, 97.7 KiB).
  function binaryTicks(scale) {
    var step = 0;
    scale.afterDataLimits = function (s) {
      var span = Math.max(s.max - Math.min(0, s.min), 1);
      var unit = span >= 1024 * 1024 * 4 ? 1024 * 1024 : span >= 1024 * 4 ? 1024 : 1;
      var raw = span / unit / 6, magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
      var nice = [1, 2, 2.5, 5, 10].map(function (m) { return m * magnitude; }).filter(function (m) { return m >= raw; })[0];
      step = nice * unit;
      s.max = Math.ceil(s.max / step) * step;
      s.min = Math.floor(Math.min(0, s.min) / step) * step;
    };
    scale.afterBuildTicks = function (s) {
      var ticks = [];
      for (var v = s.min; v <= s.max + step / 2; v += step) ticks.push({ value: v });
      s.ticks = ticks;
    };
  }

  // Log axes get their ticks at 1, 2 and 5 × 10ⁿ, or 1 and 3 × 10ⁿ, or only 10ⁿ — the
  // densest that leaves each label room (32 px up a vertical axis, 80 px along a horizontal
  // one) — made here from the axis range, because Chart.js thins its own to powers of ten
  // and then skips labels unevenly.
  function roundLogTicks(scale) {
    scale.ticks.autoSkip = false;
    scale.afterBuildTicks = function (s) {
      var room = Math.max(4, Math.floor(s.isHorizontal() ? s.width / 80 : s.height / 32));
      var tiers = [[1, 2, 5], [1, 3], [1]], ticks = [];
      for (var i = 0; i < tiers.length; i++) {
        ticks = [];
        for (var e = Math.floor(Math.log10(s.min)); Math.pow(10, e) <= s.max; e++) {
          tiers[i].forEach(function (m) {
            var v = Number((m * Math.pow(10, e)).toPrecision(6));
            if (v >= s.min && v <= s.max) ticks.push({ value: v });
          });
        }
        if (ticks.length <= room) break;
      }
      s.ticks = ticks;
    };
  }

  function lineChart(spec) {
    return {
      type: 'line',
      data: {
        datasets: spec.datasets.map(function (d) {
          return {
            label: d.label,
            data: d.points,
            borderColor: d.color,
            backgroundColor: d.color,
            borderDash: d.dash,
            borderWidth: d.reference ? 1.5 : 2,
            pointRadius: d.pointRadius,
            pointHoverRadius: 4,
            tension: 0,
            spanGaps: false
          };
        })
      },
      options: {
        interaction: { mode: 'nearest', intersect: false },
        scales: { x: axis(spec.x), y: axis(spec.y) },
        plugins: {
          rtbenchBands: { bands: spec.bands || [] },
          rtbenchMarks: { marks: spec.marks || [] },
          legend: { position: spec.legend, labels: { boxWidth: 14, boxHeight: 2, color: INK, padding: 10 } },
          tooltip: { callbacks: { title: function () { return ''; }, label: function (c) { return c.raw.tip; } } }
        }
      },
      plugins: [bandsPlugin, marksPlugin]
    };
  }

  function barChart(spec) {
    var horizontal = spec.orientation === 'horizontal';
    var names = { grid: { display: false }, ticks: { color: INK, autoSkip: false, maxRotation: 40 } };
    return {
      type: 'bar',
      data: {
        labels: spec.labels,
        datasets: [{ label: spec.title, data: spec.values, backgroundColor: spec.fills, borderColor: spec.colors, borderWidth: 1.5, maxBarThickness: horizontal ? 18 : 48 }]
      },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        scales: horizontal ? { y: names, x: axis(spec.value) } : { x: names, y: axis(spec.value) },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: function () { return ''; }, label: function (c) { return spec.tips[c.dataIndex]; } } }
        }
      }
    };
  }

  var drawn = 0;
  specs.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    var config = spec.kind === 'bar' ? barChart(spec) : lineChart(spec);
    config.options.animation = false;
    config.options.responsive = true;
    config.options.maintainAspectRatio = false;
    new Chart(canvas, config);
    drawn++;
  });
  window.rtbenchReport = { ready: true, charts: drawn };
})();
`;
