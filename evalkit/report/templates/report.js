/* evalkit report: tables, filters and details drawn from the embedded JSON.
   Every value from the results goes through textContent (never innerHTML). */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("evalkit-data").textContent);
  var PAGE = 100;
  var RANK = { fail: 1, error: 2, partial: 3, cancelled: 4, pass: 5 };
  var C = {};
  DATA.columns.forEach(function (name, index) { C[name] = index; });
  /* How a flag reads on its badge (and in the search); by default its name. */
  var FLAG_TEXT = { json_not_checked: "output JSON not checked" };
  function flagText(flag) { return FLAG_TEXT[flag] || flag; }
  var state = { statuses: new Set(), agent: "", tag: "", query: "", sort: null, dir: 1, pages: {} };
  var open = new Set();

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        if (key === "text") node.textContent = attrs[key];
        else if (key === "cls") node.className = attrs[key];
        else node.setAttribute(key, attrs[key]);
      });
    }
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  function seconds(ms) { return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s"; }

  /* ---- filtering and sorting ---- */
  /* The pointer of every difference (JSON and in files), each once, and the file names: read
     from the details already in the page, so the search adds nothing to its size. */
  function pointers(detail) {
    var seen = new Set();
    function add(differences) {
      (Array.isArray(differences) ? differences : []).forEach(function (d) {
        if (d && typeof d.pointer === "string") seen.add(d.pointer);
      });
    }
    var c = detail.comparison || {};
    add(c.differences);
    (Array.isArray(c.files) ? c.files : []).forEach(function (file) {
      if (file && typeof file.name === "string") seen.add(file.name);
      if (file) add(file.differences);
    });
    return Array.from(seen).join(" ");
  }

  var haystacks = DATA.rows.map(function (row, index) {
    var detail = DATA.details[index];
    return [row[C.agent], row[C.example], row[C.tags].join(" "), row[C.why],
      row[C.flags].map(flagText).join(" "), row[C.label], pointers(detail),
      detail.notes || ""].join("\n").toLowerCase();
  });

  function matches(index) {
    var row = DATA.rows[index];
    if (state.agent && row[C.agent] !== state.agent) return false;
    if (state.tag && row[C.tags].indexOf(state.tag) < 0) return false;
    if (state.statuses.size) {
      var hit = state.statuses.has(row[C.status]);
      row[C.flags].forEach(function (flag) { if (state.statuses.has(flag)) hit = true; });
      if (!hit) return false;
    }
    return !state.query || haystacks[index].indexOf(state.query) >= 0;
  }

  function sortKey(index) {
    var row = DATA.rows[index];
    switch (state.sort) {
      case "status": return (row[C.flags].indexOf("regression") >= 0 ? 0 : RANK[row[C.status]] || 9);
      case "score": return row[C.score] === null ? -1 : row[C.score];
      case "ms": return row[C.ms];
      case "example": return row[C.example].toLowerCase();
      default: return index;
    }
  }

  function ordered(indices) {
    if (!state.sort) return indices;
    var keys = new Map(indices.map(function (i) { return [i, sortKey(i)]; }));
    return indices.slice().sort(function (a, b) {
      var x = keys.get(a), y = keys.get(b);
      return (x < y ? -1 : x > y ? 1 : a - b) * state.dir;
    });
  }

  /* ---- tables ---- */
  function render() {
    var groups = new Map(DATA.agents.map(function (name) { return [name, []]; }));
    var shown = 0;
    for (var i = 0; i < DATA.rows.length; i++) {
      if (matches(i)) {
        var agent = DATA.rows[i][C.agent];
        if (!groups.has(agent)) groups.set(agent, []);
        groups.get(agent).push(i);
        shown++;
      }
    }
    var host = document.getElementById("tables");
    host.textContent = "";
    groups.forEach(function (indices, agent) {
      if (indices.length) host.appendChild(section(agent, ordered(indices)));
    });
    document.getElementById("shown").textContent =
      shown + " of " + DATA.rows.length + " examples shown";
  }

  function section(agent, indices) {
    var pages = Math.ceil(indices.length / PAGE);
    var page = Math.min(state.pages[agent] || 0, pages - 1);
    var box = el("section", { cls: "agent", "data-agent": agent });
    box.appendChild(el("h2", null, [agent, " ", el("span", { cls: "sub", text: indices.length + " example(s)" })]));
    var table = el("table");
    var head = el("tr");
    [["status", "Status"], ["example", "Example"], ["score", "Score"], ["ms", "Duration"]].forEach(function (col) {
      var th = el("th", { scope: "col" }, [el("button", { type: "button", text: col[1] })]);
      if (state.sort === col[0]) th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
      th.firstChild.addEventListener("click", function () {
        state.dir = state.sort === col[0] ? -state.dir : 1;
        state.sort = col[0];
        render();
      });
      head.appendChild(th);
    });
    ["Tags", "Execution", "First difference or error"].forEach(function (label) {
      head.appendChild(el("th", { scope: "col", cls: "plain", text: label }));
    });
    table.appendChild(el("thead", null, [head]));
    var body = el("tbody");
    indices.slice(page * PAGE, (page + 1) * PAGE).forEach(function (index) {
      body.appendChild(exampleRow(index));
      if (open.has(index)) body.appendChild(detailRow(index));
    });
    table.appendChild(body);
    box.appendChild(el("div", { cls: "table-wrap" }, [table]));
    if (pages > 1) box.appendChild(pager(agent, page, pages));
    return box;
  }

  function pager(agent, page, pages) {
    function go(to) { return function () { state.pages[agent] = to; render(); }; }
    var previous = el("button", { type: "button", text: "\u2039 previous" });
    var next = el("button", { type: "button", text: "next \u203a" });
    if (page === 0) previous.disabled = true; else previous.addEventListener("click", go(page - 1));
    if (page >= pages - 1) next.disabled = true; else next.addEventListener("click", go(page + 1));
    return el("div", { cls: "pager" }, [previous, el("span", { text: "page " + (page + 1) + " of " + pages }), next]);
  }

  function exampleRow(index) {
    var row = DATA.rows[index];
    var status = el("td", null, [el("span", { cls: "badge " + row[C.status], text: row[C.status] })]);
    row[C.flags].forEach(function (flag) {
      status.appendChild(document.createTextNode(" "));
      status.appendChild(el("span", { cls: "badge " + flag, text: flagText(flag) }));
    });
    var repeats = DATA.details[index].repeats;
    if (repeats) status.appendChild(attemptStrip(repeats));
    var link = row[C.link] ? el("a", { href: row[C.link], rel: "noopener noreferrer", target: "_blank", text: "open" }) : "";
    var tr = el("tr", { cls: "example", "data-index": String(index), "data-status": row[C.status],
      "aria-expanded": String(open.has(index)) }, [
      status,
      el("td", null, [el("button", { type: "button", cls: "name", text: row[C.example] })]),
      el("td", { cls: "num", "data-label": "score", text: row[C.label] === "-" ? "\u2013" : row[C.label] }),
      el("td", { cls: "num", "data-label": "duration", text: seconds(row[C.ms]) }),
      el("td", null, row[C.tags].map(function (tag) { return el("span", { cls: "tag", text: tag }); })),
      el("td", null, [link]),
      el("td", { cls: "why", text: row[C.why] })
    ]);
    tr.addEventListener("click", function (event) {
      if (event.target.tagName === "A") return;
      if (open.has(index)) open.delete(index); else open.add(index);
      render();
    });
    return tr;
  }

  /* A repeated example's attempts, one mark each (linked to its execution when there is a
     link), then k/n passed. */
  function attemptStrip(repeats) {
    var strip = el("span", { cls: "strip", title: repeats.passes + " of " + repeats.trials +
      " attempts passed, rule " + repeats.rule + (repeats.adaptive ? ", adaptive" : "") });
    repeats.attempts.forEach(function (attempt) {
      var attrs = { cls: "att " + attempt.verdict, title: attempt.title, text: attempt.mark };
      if (attempt.link) {
        attrs.href = attempt.link; attrs.rel = "noopener noreferrer"; attrs.target = "_blank";
      }
      strip.appendChild(el(attempt.link ? "a" : "span", attrs));
    });
    strip.appendChild(el("span", { cls: "passes", text: " " + repeats.passes + "/" + repeats.trials }));
    return strip;
  }

  function detailRow(index) {
    var cell = el("td", { cls: "detail", colspan: "7" });
    cell.appendChild(window.evalkitDetail(DATA.details[index], el));
    return el("tr", { cls: "detail-row" }, [cell]);
  }

  /* ---- controls ---- */
  var tags = new Set();
  DATA.rows.forEach(function (row) { row[C.tags].forEach(function (tag) { tags.add(tag); }); });
  var tagSelect = document.getElementById("tag-filter");
  Array.from(tags).sort().forEach(function (tag) { tagSelect.appendChild(el("option", { text: tag })); });

  function resetPages() { state.pages = {}; }
  document.querySelectorAll("#status-filter input").forEach(function (box) {
    box.addEventListener("change", function () {
      if (box.checked) state.statuses.add(box.value); else state.statuses.delete(box.value);
      resetPages(); render();
    });
  });
  document.getElementById("agent-filter").addEventListener("change", function (event) {
    state.agent = event.target.value; resetPages(); render();
  });
  tagSelect.addEventListener("change", function (event) { state.tag = event.target.value; resetPages(); render(); });
  var timer = null;
  document.getElementById("search").addEventListener("input", function (event) {
    clearTimeout(timer);
    timer = setTimeout(function () { state.query = event.target.value.trim().toLowerCase(); resetPages(); render(); }, 120);
  });
  window.evalkitReady = function () { render(); document.body.setAttribute("data-ready", "true"); };
})();
