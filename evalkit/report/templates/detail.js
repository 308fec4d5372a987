/* evalkit report: one example's details, built only when the example is opened. */
(function () {
  "use strict";
  var EXPECTED_SIDE = { changed: 1, missing: 1, type_changed: 1, order: 1 };
  var ACTUAL_SIDE = { changed: 1, type_changed: 1, unexpected: 1 };

  function show(value) {
    if (value === undefined) return "(absent)";
    var text = JSON.stringify(value);
    return text.length > 200 ? text.slice(0, 199) + "\u2026" : text;
  }

  function segment(key) { return String(key).replace(/~/g, "~0").replace(/\//g, "~1"); }

  /* Pretty JSON as lines, each knowing the pointer of the value it shows. */
  function jsonLines(value) {
    var lines = [];
    function walk(v, pointer, depth, prefix, comma) {
      var pad = "  ".repeat(depth);
      if (v !== null && typeof v === "object") {
        var list = Array.isArray(v);
        var keys = list ? v.map(function (_, i) { return i; }) : Object.keys(v);
        if (!keys.length) { lines.push({ pointer: pointer, text: pad + prefix + (list ? "[]" : "{}") + comma }); return; }
        lines.push({ pointer: pointer, text: pad + prefix + (list ? "[" : "{") });
        keys.forEach(function (key, i) {
          walk(v[key], pointer + "/" + segment(key), depth + 1,
            list ? "" : JSON.stringify(String(key)) + ": ", i < keys.length - 1 ? "," : "");
        });
        lines.push({ pointer: pointer, text: pad + (list ? "]" : "}") + comma, closing: true });
      } else {
        lines.push({ pointer: pointer, text: pad + prefix + JSON.stringify(v) + comma });
      }
    }
    walk(value, "", 0, "", "");
    return lines;
  }

  function documentView(el, value, marks, rules) {
    var pre = el("pre", { cls: "doc" });
    jsonLines(value).forEach(function (line) {
      var kind = line.closing ? null : marks[line.pointer];
      var rule = line.closing ? null : rules[line.pointer];
      var node = el("span", { cls: "line" + (kind ? " " + kind : rule ? " ruled" : "") }, [line.text]);
      if (kind) node.setAttribute("data-pointer", line.pointer);
      if (rule) node.appendChild(el("span", { cls: "rule", text: "  \u2190 " + rule }));
      pre.appendChild(node);
    });
    return pre;
  }

  function differenceList(el, differences) {
    var list = el("ul", { cls: "diffs" });
    differences.forEach(function (d) {
      var text = ": " + d.kind.replace("_", " ");
      if (d.kind === "missing") text += ", expected " + show(d.expected);
      else if (d.kind === "unexpected") text += ", actual " + show(d.actual);
      else if (d.kind !== "order") text += ", expected " + show(d.expected) + ", actual " + show(d.actual);
      list.appendChild(el("li", null, [el("code", { text: d.pointer || "(root)" }), text,
        d.rule ? el("span", { cls: "rule", text: " [" + d.rule + "]" }) : null]));
    });
    return list;
  }

  function ruleText(a) { return a.detail && a.detail !== a.kind ? a.kind + ": " + a.detail : a.kind; }

  function ruleList(el, applied) {
    var list = el("ul", { cls: "diffs" });
    applied.forEach(function (a) {
      list.appendChild(el("li", null, [el("code", { text: a.pointer || "(root)" }), " ",
        el("span", { cls: "rule", text: ruleText(a) })]));
    });
    return list;
  }

  function unifiedDiff(el, text) {
    var pre = el("pre", { cls: "udiff" });
    text.split("\n").forEach(function (line) {
      var cls = line.startsWith("@@") ? "diff-hunk" : line.startsWith("+") ? "diff-add" :
        line.startsWith("-") ? "diff-del" : "";
      pre.appendChild(el("span", { cls: "line " + cls, text: line }));
    });
    return pre;
  }

  function size(bytes) { return bytes === null || bytes === undefined ? "\u2013" : bytes + " bytes"; }

  function fileView(el, file) {
    var box = el("div", { cls: "file", "data-file": file.name });
    var score = file.scoreLabel || Number(file.score).toFixed(2);
    box.appendChild(el("h3", null, [el("code", { text: file.name }), " \u2013 " + file.status + " (" + file.mode +
      ", score " + score + ")"]));
    if (file.problem) box.appendChild(el("p", { cls: "warn", text: file.problem }));
    if (file.diff) box.appendChild(unifiedDiff(el, file.diff));
    if (file.differences) box.appendChild(differenceList(el, file.differences));
    if (file.applied) box.appendChild(ruleList(el, file.applied));
    if (!file.diff && !file.differences && file.status !== "match") {
      box.appendChild(el("p", { text: "expected " + size(file.expectedSize) + ", sha256 " +
        (file.expectedSha256 || "\u2013") + "; actual " + size(file.actualSize) + ", sha256 " +
        (file.actualSha256 || "\u2013") }));
    }
    return box;
  }

  function facts(el, detail) {
    var parts = [];
    if (detail.mark) parts.push("declared at " + detail.mark);
    if (detail.execution) parts.push("execution " + detail.execution.id + " (" + detail.execution.status + ")");
    parts.push(detail.attempts + " start attempt(s)");
    var d = detail.durations || {};
    if (d.queued_ms) parts.push("queued " + d.queued_ms + " ms");
    if (d.execution_ms !== null && d.execution_ms !== undefined) parts.push("platform " + d.execution_ms + " ms");
    if (d.compare_ms !== null && d.compare_ms !== undefined) parts.push("compare " + d.compare_ms + " ms");
    return el("p", { cls: "facts", text: parts.join(" \u00b7 ") });
  }

  function feedbackView(el, feedback) {
    if (!feedback.written) {
      return el("p", { text: "Not written back" + (feedback.error ? ": " + feedback.error : ".") });
    }
    var text = "Written: rating " + feedback.rating + ", status " + feedback.status +
      (feedback.expected_json ? ", expected JSON attached" : "");
    if (feedback.expected_files && feedback.expected_files.length) {
      text += ", expected files: " + feedback.expected_files.join(", ");
    }
    return el("p", { text: text });
  }

  function repeatsView(el, r) {
    var box = el("div", { cls: "repeats" });
    var text = r.passes + " of " + r.trials + " attempts passed; the verdict is by the rule " +
      r.rule + (r.adaptive ? " (adaptive: attempts were added only while the change from the " +
      "baseline was undecided)" : "") + ".";
    if (r.passInterval) text += " Pass rate " + r.passInterval + ".";
    if (r.scoreInterval) text += " Mean score " + r.scoreInterval + ".";
    box.appendChild(el("p", { text: text }));
    if (r.against) box.appendChild(el("p", { cls: "against", text: "Against the baseline: " + r.against + "." }));
    var list = el("ol", { cls: "attempts" });
    r.attempts.forEach(function (a) {
      var parts = [a.verdict];
      if (a.score !== null && a.score !== undefined) parts.push("score " + Number(a.score).toFixed(2));
      parts.push((a.ms / 1000).toFixed(2) + " s");
      var item = el("li", null, [el("span", { cls: "att " + a.verdict, text: a.mark }), " " + parts.join(", ")]);
      if (a.execution) {
        item.appendChild(document.createTextNode(", execution "));
        item.appendChild(a.link ? el("a", { href: a.link, rel: "noopener noreferrer", target: "_blank", text: a.execution })
          : el("code", { text: a.execution }));
      }
      if (a.error) item.appendChild(el("span", { cls: "warn", text: " \u2013 " + a.error }));
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  window.evalkitDetail = function (detail, el) {
    var box = el("div", { cls: "detail-body" });
    box.appendChild(facts(el, detail));
    if (detail.notes) {
      box.appendChild(el("h3", { text: "Notes" }));
      box.appendChild(el("p", { cls: "notes", text: detail.notes }));
    }
    if (detail.repeats) {
      box.appendChild(el("h3", { text: "Attempts (" + detail.repeats.trials + ")" }));
      box.appendChild(repeatsView(el, detail.repeats));
    }
    if (detail.outputJsonChecked === false) {
      box.appendChild(el("p", { cls: "warn unchecked", text: "Output JSON not checked: this example's " +
        "output JSON was not compared with an expected document, so the verdict does not vouch for it." }));
    }
    if (detail.error) {
      var e = detail.error;
      box.appendChild(el("h3", { text: "Error: " + e.kind }));
      box.appendChild(el("pre", { cls: "error", text: e.message +
        (e.status ? "\nHTTP " + e.status : "") + (e.request_id ? "\nrequest id " + e.request_id : "") }));
    }
    var c = detail.comparison;
    if (c) {
      var marksExpected = {}, marksActual = {}, rules = {};
      (c.differences || []).forEach(function (d) {
        if (EXPECTED_SIDE[d.kind]) marksExpected[d.pointer] = d.kind;
        if (ACTUAL_SIDE[d.kind]) marksActual[d.pointer] = d.kind;
      });
      (c.applied || []).forEach(function (a) { rules[a.pointer] = ruleText(a); });
      if (c.differences && c.differences.length) {
        box.appendChild(el("h3", { text: "Differences (" + c.differences.length + ")" }));
        box.appendChild(differenceList(el, c.differences));
      }
      if (detail.documents_omitted) {
        box.appendChild(el("h3", { text: "Expected and actual" }));
        box.appendChild(el("p", { text: detail.documents_omitted }));
      }
      if ("expected_json" in detail && "actual_json" in detail) {
        box.appendChild(el("h3", { text: "Expected and actual" }));
        box.appendChild(el("div", { cls: "side" }, [
          el("div", null, [el("strong", { text: "expected" }), documentView(el, detail.expected_json, marksExpected, rules)]),
          el("div", null, [el("strong", { text: "actual" }), documentView(el, detail.actual_json, marksActual, rules)])
        ]));
      }
      if (c.applied && c.applied.length) {
        box.appendChild(el("h3", { text: "Rules applied" }));
        box.appendChild(ruleList(el, c.applied));
      }
      if (c.files && c.files.length) {
        box.appendChild(el("h3", { text: "Files" }));
        c.files.forEach(function (file) { box.appendChild(fileView(el, file)); });
      }
    }
    box.appendChild(el("h3", { text: "Feedback" }));
    box.appendChild(feedbackView(el, detail.feedback || {}));
    return box;
  };
})();
window.evalkitReady();
