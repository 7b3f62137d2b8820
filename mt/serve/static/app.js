/* The review page of `mt serve`: an editor's view of one translated article.
 *
 * Sends an Arabic article (or one JSON record) to POST /v1/articles, or opens one record of an
 * `mt batch` output file in the browser, and shows it sentence by sentence: the Arabic as it was
 * translated (repairs marked, with their rule on hover or focus) beside the English, with the QA
 * flags of each sentence in plain words. Plain DOM code, no libraries; every piece of text from a
 * record is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  // ---- plain words ------------------------------------------------------------------------
  var RULES = {
    "merged-word": "Two words were run together; a space was put between them.",
    "merged-number": "A number was run into a word; a space was put between them.",
    "invisible-mark": "An invisible character was removed.",
    "decorative-tatweel": "Decorative stretching (tatweel) was removed.",
    "presentation-form": "Special letter shapes were replaced by ordinary letters.",
    "space-before-punct": "A space before punctuation was removed.",
    "space-after-punct": "A missing space after punctuation was added.",
    "space-inside-brackets": "Spaces just inside brackets or quotes were removed.",
    "whitespace": "Extra spaces were removed.",
    "repair": "The Arabic was changed here before translation."
  };
  // repairs not worth an editor's attention: not marked
  var QUIET_RULES = ["whitespace"];
  var CHECKS = {
    number: "Numbers",
    untranslated: "Untranslated",
    repetition: "Repeated words",
    length: "Length",
    empty: "Empty"
  };
  var INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

  var nf = new Intl.NumberFormat("en");
  function count(n, one, many) { return nf.format(n) + " " + (n === 1 ? one : (many || one + "s")); }
  function showInvisible(s) {
    return s.replace(INVISIBLE, function (c) {
      return "⟨U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "⟩";
    });
  }
  /* Words from a record go in as {w: text}: shown quoted and isolated (<bdi>), so Arabic words
   * inside an English sentence keep their own direction. */
  function W(text) { return { w: String(text) }; }
  function joined(items, word) {
    var out = [];
    items.forEach(function (x, i) {
      if (i) out.push(i === items.length - 1 ? " and " : ", ");
      out.push(word ? W(x) : String(x));
    });
    return out;
  }
  function piecesText(pieces) {
    return pieces.map(function (p) { return typeof p === "string" ? p : "“" + showInvisible(p.w) + "”"; }).join("");
  }
  function piecesNode(pieces) {
    var frag = document.createDocumentFragment();
    pieces.forEach(function (p) {
      if (typeof p === "string") { frag.appendChild(document.createTextNode(p)); return; }
      frag.appendChild(document.createTextNode("“"));
      frag.appendChild(el("bdi", { className: "word", text: showInvisible(p.w) }));
      frag.appendChild(document.createTextNode("”"));
    });
    return frag;
  }

  /* One QA flag in words an editor understands: what was seen and which number or word, as pieces
   * (strings, and {w: ...} for words quoted from the texts). */
  function describeFlag(flag) {
    var d = flag.detail || {};
    switch (flag.check) {
      case "number": {
        var out = [];
        var side = function (nums, forms, lead, tail) {
          if (!nums || !nums.length) return;
          if (out.length) out.push("; ");
          out.push(lead);
          out.push.apply(out, joined(nums, true));
          var other = (forms || []).filter(function (f, i) { return f && f !== nums[i]; });
          if (other.length) { out.push(" (written "); out.push.apply(out, joined(other, true)); out.push(")"); }
          out.push(tail);
        };
        side(d.missing, d.missing_forms, "The Arabic has ", " but the English does not");
        side(d.extra, d.extra_forms, out.length ? "the English has " : "The English has ", ", which is not in the Arabic");
        if (!out.length) return ["A number may be wrong or missing."];
        out.push(".");
        return out;
      }
      case "untranslated": {
        var words = d.arabic || [];
        var s = words.length ? ["Arabic words left in the English: "].concat(joined(words, true), ["."])
                             : ["There is Arabic in the English."];
        return d.copied ? s.concat([" Most of the sentence looks copied, not translated."]) : s;
      }
      case "repetition": {
        if (!d.ngram) return ["The English repeats itself."];
        var r = ["The English repeats ", W(d.ngram)];
        if (d.count) r.push(" " + count(d.count, "time"));
        if (typeof d.source_count === "number") r.push(" (the Arabic has it " + count(d.source_count, "time") + ")");
        r.push(".");
        return r;
      }
      case "length": {
        var dir = d.direction === "short" ? "short" : "long";
        var t = "The English is unusually " + dir + " for this Arabic";
        if (typeof d.ratio === "number" && d.expected && d.expected.length === 2) {
          t += " (" + fmt(d.ratio) + " times the length of the Arabic; usually " + fmt(d.expected[0]) + " to " +
               fmt(d.expected[1]) + ")";
        }
        return [t + (dir === "short" ? ": something may be left out." : ": something may be added or repeated.")];
      }
      case "empty":
        return ["No English came back for this sentence."];
      default: {
        var keys = Object.keys(d);
        return [keys.length ? keys.map(function (k) { return k + ": " + plain(d[k]); }).join("; ") : "Check this sentence."];
      }
    }
  }
  function cap(s) { return s.charAt(0).toUpperCase() + s.slice(1); }
  function fmt(x) { return (Math.round(x * 100) / 100).toString(); }
  function plain(v) {
    if (Array.isArray(v)) return v.map(plain).join(", ");
    if (v && typeof v === "object") return Object.keys(v).map(function (k) { return k + " " + plain(v[k]); }).join(", ");
    return String(v);
  }

  /* What went wrong, for a person: the status of a service answer mapped to a sentence. */
  function explainError(status, message, retryAfter, limits) {
    var msg = String(message || "");
    var wait = retryAfter ? " Try again in " + count(retryAfter, "second") + "." : " Try again in a moment.";
    var m = /^(?:(\w+): )?text of (\d+) characters is over the limit of (\d+)/.exec(msg);
    if (status === 400 && m) {
      var what = m[1] === "headline" ? "The headline" : "This article";
      return what + " is " + nf.format(+m[2]) + " characters long, but the service accepts at most " +
             nf.format(+m[3]) + " characters at a time. Split it into shorter parts and translate each part.";
    }
    if (status === 400 && /too many texts/.test(msg)) {
      return "Too many texts were sent at once. Send fewer at a time.";
    }
    switch (status) {
      case 400: return "The service could not read this article: " + humanDetail(msg) + ". Check the text or record and try again.";
      case 403: return /required/.test(msg)
        ? "This service needs an API key: enter yours in the API key field above."
        : "The service does not accept this API key. Check it, or ask the people who run the service for one.";
      case 404: return "This page is not talking to an mt serve translation service (the address was not found).";
      case 408: return "The service gave up waiting for the article to arrive." + wait;
      case 413: {
        var max = limits && limits.max_body_bytes ? " (at most " + nf.format(limits.max_body_bytes) + " bytes)" : "";
        return "The article is too large for the service" + max + ". Split it into shorter parts and translate each part.";
      }
      case 429: return "You have sent many translations in a short time, and the service asks you to slow down." + wait;
      case 503:
        if (/loading/.test(msg)) return "The translation model is still loading." + wait;
        if (/failed to load/.test(msg)) return "The translation model failed to load. The people who run the service need to look at it.";
        if (/shutting down/.test(msg)) return "The translation service is shutting down. Try again when it is back.";
        if (/timed out/.test(msg)) return "The translation took too long because the service is very busy." + wait;
        return "The translation service is busy with other work right now." + wait;
      default:
        if (status >= 500) return "Something went wrong inside the translation service (error " + status + "). Try again; if it keeps happening, tell the people who run it.";
        return "The service refused the article (error " + status + "): " + humanDetail(msg) + ".";
    }
  }
  function humanDetail(msg) {
    var s = String(msg || "no reason given").replace(/\s+/g, " ").trim();
    if (/^[[{]/.test(s)) return "no reason given"; // never show raw JSON
    return s.replace(/[.\s]+$/, "");
  }

  // ---- the service ------------------------------------------------------------------------
  var state = { limits: null, info: null, lastRecord: null, lastPayload: null };

  /* A failed request in words for a person; ``retry``: trying again later may work. */
  function ServiceError(text, retry) { this.text = text; this.retry = !!retry; }
  function retryable(status) { return status === 408 || status === 429 || status >= 500; }

  /* POST one record; the output record, or a ServiceError with words for a person. */
  function postArticle(payload) {
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    var key = $("api-key").value.trim();
    if (key) headers["X-API-Key"] = key;
    return fetch("/v1/articles", {
      method: "POST",
      headers: headers,
      body: JSON.stringify(payload)
    }).then(function (resp) {
      return resp.text().then(function (body) {
        var data = null;
        try { data = body ? JSON.parse(body) : null; } catch (e) { data = null; }
        if (resp.ok) {
          if (!data || !data.translation) throw new ServiceError("The service answered with something this page cannot show. Is it an mt serve service?");
          return data;
        }
        var message = data && typeof data.error === "string" ? data.error : "";
        var retry = parseInt(resp.headers.get("Retry-After") || "", 10);
        throw new ServiceError(explainError(resp.status, message, isNaN(retry) ? null : retry, state.limits), retryable(resp.status));
      });
    }, function () {
      throw new ServiceError("This page could not reach the translation service. Check that mt serve is still running and that this computer is connected to it, then try again.", true);
    });
  }

  function setStatus(text, kind) {
    var el = $("service-status");
    el.textContent = text;
    el.dataset.state = kind;
  }

  function checkService() {
    fetch("/v1/info", { headers: { "Accept": "application/json" } }).then(function (resp) {
      return resp.json().then(function (info) {
        state.info = info;
        state.limits = info.limits || null;
        $("key-field").hidden = !(state.limits && state.limits.api_key_required);
        updateCount();
        if (info.ready) {
          var model = info.model && info.model.model ? String(info.model.model).split("/").pop() : "the model";
          setStatus("Ready: " + model + (state.limits ? " · up to " + count(state.limits.max_chars, "character") + " per article" : ""), "ready");
        } else {
          setStatus("The translation model is loading; you can paste your article meanwhile.", "loading");
          setTimeout(checkService, 2000);
        }
      });
    }).catch(function () {
      setStatus("Cannot reach the translation service. You can still open an mt batch output file.", "down");
    });
  }

  // ---- repairs: where the Arabic as translated differs from the original ----------------------
  /* Regions {rs, re, os, oe, rules} of ``repaired`` (r) and ``source`` (o) that the repair changed,
   * widened to whole words so a space put between merged words shows both words. */
  function repairRegions(sentence) {
    var src = sentence.source || "";
    var rep = typeof sentence.repaired === "string" ? sentence.repaired : src;
    if (src === rep) return [];
    var base = sentence.span ? sentence.span[0] : 0;
    var regions = null;
    if (Array.isArray(sentence.edits) && sentence.edits.length) {
      regions = fromEdits(src, rep, sentence.edits, base);
    }
    if (!regions) regions = fromDiff(src, rep);
    regions = regions.filter(function (g) {
      return g.rules.some(function (r) { return QUIET_RULES.indexOf(r) < 0; });
    });
    return mergeRegions(regions.map(function (g) { return widen(g, src, rep); }), src, rep);
  }

  function fromEdits(src, rep, edits, base) {
    var sorted = edits.slice().sort(function (a, b) { return a.start - b.start || a.end - b.end; });
    var out = "", pos = 0, regions = [];
    for (var i = 0; i < sorted.length; i++) {
      var e = sorted[i], s = e.start - base, t = e.end - base;
      if (s < pos || t < s || t > src.length || src.slice(s, t) !== (e.before || "")) return null;
      out += src.slice(pos, s);
      regions.push({ rs: out.length, re: out.length + (e.after || "").length, os: s, oe: t, rules: [e.rule || "repair"] });
      out += e.after || "";
      pos = t;
    }
    out += src.slice(pos);
    return out === rep ? regions : null;
  }

  /* Character hunks between the original and the repaired text (records without ``edits``). */
  function fromDiff(a, b) {
    var p = 0;
    while (p < a.length && p < b.length && a[p] === b[p]) p++;
    var q = 0;
    while (q < a.length - p && q < b.length - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
    var A = a.slice(p, a.length - q), B = b.slice(p, b.length - q);
    var n = A.length, m = B.length, hunks = [];
    if (n * m > 4e6 || n === 0 || m === 0) {
      hunks.push({ os: p, oe: p + n, rs: p, re: p + m });
    } else {
      var w = m + 1, L = new Uint16Array((n + 1) * w);
      for (var i = n - 1; i >= 0; i--) {
        for (var j = m - 1; j >= 0; j--) {
          L[i * w + j] = A[i] === B[j] ? L[(i + 1) * w + j + 1] + 1 : Math.max(L[(i + 1) * w + j], L[i * w + j + 1]);
        }
      }
      var x = 0, y = 0, cur = null;
      while (x < n || y < m) {
        if (x < n && y < m && A[x] === B[y]) {
          if (cur) { hunks.push(cur); cur = null; }
          x++; y++;
        } else {
          if (!cur) cur = { os: p + x, oe: p + x, rs: p + y, re: p + y };
          if (y < m && (x >= n || L[x * w + y + 1] >= L[(x + 1) * w + y])) { y++; cur.re++; } else { x++; cur.oe++; }
        }
      }
      if (cur) hunks.push(cur);
    }
    return hunks.map(function (h) {
      var before = a.slice(h.os, h.oe), after = b.slice(h.rs, h.re);
      // only the amount of space changed (whitespace left on either side): "whitespace"
      var spaced = before.length > 0 && /^\s*$/.test(before + after) &&
                   (after.length > 0 || isSpace(b[h.rs - 1] || "") || isSpace(b[h.re] || ""));
      var rule = spaced ? "whitespace" : guessRule(before, after);
      if (rule === "merged-word" && /[0-9\u0660-\u0669\u06F0-\u06F9]/.test((b[h.rs - 1] || "") + (b[h.re] || ""))) rule = "merged-number";
      h.rules = [rule];
      return h;
    });
  }

  function guessRule(before, after) {
    if (!before && /^\s+$/.test(after)) return "merged-word";
    if (/^[\u200B-\u200F\u2060-\u2064\uFEFF\u061C\u00AD]+$/.test(before) && !after) return "invisible-mark";
    if (/^\u0640+$/.test(before) && !after) return "decorative-tatweel";
    if (/[\uFB50-\uFDFF\uFE70-\uFEFF]/.test(before)) return "presentation-form";
    return "repair";
  }

  function isSpace(c) { return /\s/.test(c); }
  function widen(g, src, rep) {
    var rs = g.rs, re = g.re, os = g.os, oe = g.oe;
    while (rs > 0 && !isSpace(rep[rs - 1])) rs--;
    while (re < rep.length && !isSpace(rep[re])) re++;
    while (os > 0 && !isSpace(src[os - 1])) os--;
    while (oe < src.length && !isSpace(src[oe])) oe++;
    // a region that is only whitespace (a space removed between words) keeps the words around it
    if (!rep.slice(rs, re).trim()) {
      while (rs > 0 && isSpace(rep[rs - 1])) rs--;
      while (rs > 0 && !isSpace(rep[rs - 1])) rs--;
      while (re < rep.length && isSpace(rep[re])) re++;
      while (re < rep.length && !isSpace(rep[re])) re++;
    }
    return { rs: rs, re: re, os: os, oe: oe, rules: g.rules.slice() };
  }

  function mergeRegions(regions, src, rep) {
    regions.sort(function (a, b) { return a.rs - b.rs; });
    var out = [];
    regions.forEach(function (g) {
      var last = out[out.length - 1];
      if (last && g.rs <= last.re) {
        last.re = Math.max(last.re, g.re);
        last.os = Math.min(last.os, g.os);
        last.oe = Math.max(last.oe, g.oe);
        g.rules.forEach(function (r) { if (last.rules.indexOf(r) < 0) last.rules.push(r); });
      } else {
        out.push(g);
      }
    });
    out.forEach(function (g) { g.before = src.slice(g.os, g.oe); g.after = rep.slice(g.rs, g.re); });
    return out;
  }

  // ---- rendering ----------------------------------------------------------------------------
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c != null) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  var tipCounter = 0;
  /* The Arabic cell's content: the repaired text, each repair a focusable <mark> with its rule. */
  function arabicContent(sentence) {
    var rep = typeof sentence.repaired === "string" ? sentence.repaired : (sentence.source || "");
    var regions = repairRegions(sentence);
    var frag = document.createDocumentFragment(), pos = 0;
    regions.forEach(function (g) {
      if (g.rs > pos) frag.appendChild(document.createTextNode(rep.slice(pos, g.rs)));
      var id = "repair-" + (++tipCounter);
      var tip = el("span", { className: "tip", role: "tooltip", id: id, dir: "ltr", lang: "en" }, [
        el("span", { className: "tip-rule", text: g.rules.map(function (r) { return RULES[r] || RULES.repair; }).join(" ") }),
        el("span", { className: "tip-change" }, ["Before: ", el("bdi", { lang: "ar", text: showInvisible(g.before) })]),
        el("span", { className: "tip-change" }, ["After: ", el("bdi", { lang: "ar", text: showInvisible(g.after) })]),
        el("span", { className: "tip-id", text: "Rule: " + g.rules.join(", ") })
      ]);
      var mark = el("mark", { className: "repair", tabindex: "0", "aria-describedby": id, "data-rule": g.rules.join(" ") },
                    [rep.slice(g.rs, g.re), tip]);
      frag.appendChild(mark);
      pos = g.re;
    });
    if (pos < rep.length) frag.appendChild(document.createTextNode(rep.slice(pos)));
    return { node: frag, repairs: regions.length };
  }

  /* Put a mark's tip below it (above when there is no room), kept inside the window. */
  function placeTip(mark) {
    var tip = mark.querySelector(".tip");
    if (!tip || !tip.offsetWidth) return;
    var r = mark.getBoundingClientRect(), root = document.documentElement;
    var w = tip.offsetWidth, h = tip.offsetHeight, vw = root.clientWidth, vh = root.clientHeight;
    var left = Math.max(8, Math.min(r.right - w, vw - w - 8));
    var top = r.bottom + 6;
    if (top + h > vh - 8 && r.top - h - 6 >= 8) top = r.top - h - 6;
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }

  function notesOf(sentence) {
    var notes = [];
    if (sentence.truncated) notes.push("Cut off: the translation stopped at the length limit, so its end may be missing.");
    if (sentence.chunked) notes.push("A very long sentence: it was translated in parts, so check the joins.");
    return notes;
  }

  /* Which paragraph of ``text`` each span starts in (only "\n" and "\r\n" end a line). */
  function paragraphOf(text, start) {
    if (typeof text !== "string") return 0;
    var n = 0, i = -1;
    while ((i = text.indexOf("\n", i + 1)) >= 0 && i < start) n++;
    return n;
  }

  function bodyText(record) {
    for (var k of ["body", "body_text", "text"]) if (typeof record[k] === "string") return record[k];
    return null;
  }

  function render(record) {
    state.lastRecord = record;
    tipCounter = 0;
    var t = record.translation || {};
    var sentences = Array.isArray(t.sentences) ? t.sentences : [];
    var body = bodyText(record);
    var pairs = $("pairs");
    pairs.textContent = "";
    var repaired = 0, flagged = 0, perCheck = {}, lastKey = null, bodyCount = 0;
    sentences.forEach(function (s, i) {
      var part = s.part === "headline" ? "headline" : "body";
      var n = part === "headline" ? "headline" : ++bodyCount;  // body sentences count from 1
      var para = part === "body" && s.span ? paragraphOf(body, s.span[0]) : -1;
      var key = part + ":" + para;
      var ar = arabicContent(s);
      var flags = Array.isArray(s.qa) ? s.qa : [];
      var notes = notesOf(s);
      if (ar.repairs) repaired++;
      if (flags.length) flagged++;
      flags.forEach(function (f) { perCheck[f.check] = (perCheck[f.check] || 0) + 1; });

      var arCell = el("div", { className: "cell ar", dir: "rtl", lang: "ar", tabindex: "0", role: "group",
                               "aria-label": (part === "headline" ? "Headline" : "Sentence " + n) + ", Arabic" + (ar.repairs ? ", repaired" : "") });
      arCell.appendChild(ar.node);
      var enText = el("p", { className: "en-text", text: s.translation || "" });
      var enCell = el("div", { className: "cell en", dir: "ltr", lang: "en", tabindex: "0", role: "group",
                               "aria-label": (part === "headline" ? "Headline" : "Sentence " + n) + ", English" + (flags.length ? ", " + count(flags.length, "flag") : "") },
                      [enText]);
      if (flags.length || notes.length) {
        var ul = el("ul", { className: "flags", "aria-label": "What to check in " + (part === "headline" ? "the headline" : "sentence " + n) });
        flags.forEach(function (f) {
          ul.appendChild(el("li", { className: "flag", "data-check": String(f.check) }, [
            el("strong", { className: "flag-name", text: (CHECKS[f.check] || cap(String(f.check))) + ": " }),
            el("span", { className: "flag-detail" }, [piecesNode(describeFlag(f))])
          ]));
        });
        notes.forEach(function (text) {
          ul.appendChild(el("li", { className: "note" }, [el("span", { text: text })]));
        });
        enCell.appendChild(ul);
      }
      var label = part === "headline" ? "Headline" : String(n);
      var li = el("li", { className: "pair" + (flags.length ? " has-flags" : "") + (ar.repairs ? " has-repairs" : "") +
                                    (part === "headline" ? " is-headline" : "") +
                                    (lastKey !== null && key !== lastKey ? " new-paragraph" : ""),
                          id: "pair-" + (i + 1), "data-part": part },
                  [el("div", { className: "num", "aria-hidden": "true", text: label }), arCell, enCell]);
      pairs.appendChild(li);
      lastKey = key;
    });

    $("record-uri").textContent = record.uri ? "Record: " + record.uri : "";
    var checks = Object.keys(perCheck).map(function (c) { return (CHECKS[c] || c).toLowerCase() + " " + perCheck[c]; });
    $("summary").textContent = count(sentences.length, "sentence") + " · " + nf.format(repaired) + " repaired · " +
      nf.format(flagged) + " with flags" + (checks.length ? " (" + checks.join(", ") + ")" : "");
    $("signature").textContent = record.signature ? "Translated by " + record.signature : "";
    $("copy-status").textContent = "";
    $("only-flagged").checked = false;
    pairs.classList.remove("only-flagged");
    var results = $("results");
    results.hidden = false;
    results.focus({ preventScroll: false });
  }

  function englishArticle(record) {
    var t = record.translation || {};
    var parts = [];
    if (t.headline) parts.push(t.headline);
    if (typeof t.body === "string") parts.push(t.body);
    else parts.push((t.sentences || []).filter(function (s) { return s.part !== "headline"; })
                     .map(function (s) { return s.translation || ""; }).join(" "));
    return parts.join("\n\n");
  }

  // ---- copy -------------------------------------------------------------------------------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }
  function fallbackCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = el("textarea", { readonly: "", "aria-hidden": "true", className: "offscreen" });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy refused"));
    });
  }

  // ---- input ------------------------------------------------------------------------------
  function showError(text, retry) {
    var box = $("error");
    box.textContent = "";
    if (text) {
      box.appendChild(el("p", { text: text }));
      if (retry && state.lastPayload) {
        var again = el("button", { type: "button", className: "again", text: "Try again" });
        again.addEventListener("click", function () { submit(state.lastPayload); });
        box.appendChild(again);
      }
    }
    box.hidden = !text;
  }

  function chars(s) { return Array.from(s).length; }
  function updateCount() {
    var n = chars($("article").value), nh = chars($("headline").value);
    var max = state.limits && state.limits.max_chars;
    var el2 = $("article-count");
    el2.textContent = count(n, "character") + (max ? " (the service takes up to " + nf.format(max) + ")" : "");
    el2.classList.toggle("over", !!max && (n > max || nh > max));
  }

  function setBusy(busy) {
    var b = $("translate");
    b.disabled = busy;
    b.textContent = busy ? "Translating…" : "Translate";
    $("article-form").setAttribute("aria-busy", busy ? "true" : "false");
  }

  function submit(payload) {
    state.lastPayload = payload;
    showError("");
    setBusy(true);
    return postArticle(payload).then(function (record) {
      render(record);
    }, function (err) {
      if (err instanceof ServiceError) showError(err.text, err.retry);
      else showError("Something went wrong in this page: " + err);
    }).then(function () { setBusy(false); });
  }

  /* A record the editor gave: shown as it is when translated, else sent to the service. */
  function openRecord(obj) {
    // the form shows the article on screen, so the editor can change it and translate again
    var text = bodyText(obj);
    if (text !== null) {
      $("article").value = text;
      $("headline").value = typeof obj.headline === "string" ? obj.headline : "";
      updateCount();
    }
    if (obj && obj.translation && Array.isArray(obj.translation.sentences)) {
      state.lastPayload = null;
      showError("");
      render(obj);
    } else {
      submit(obj);
    }
  }

  function parseRecordText(text) {
    var obj;
    try { obj = JSON.parse(text); } catch (e) {
      throw new ServiceError("The text starts like a JSON record but is not valid JSON: " + e.message + ".");
    }
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) throw new ServiceError("A JSON record must be one object, like {\"uri\": \"…\", \"body\": \"…\"}.");
    if (bodyText(obj) === null && !obj.translation) throw new ServiceError("The JSON record has no body (the Arabic text): add a \"body\" field.");
    return obj;
  }

  function onSubmit(ev) {
    ev.preventDefault();
    var text = $("article").value, headline = $("headline").value.trim();
    if (/^\s*\{/.test(text)) {
      var obj;
      try { obj = parseRecordText(text.trim()); } catch (e) { state.lastPayload = null; showError(e.text || String(e)); return; }
      if (headline && obj.headline == null && !obj.translation) obj.headline = headline;
      openRecord(obj);
      return;
    }
    if (!text.trim()) {
      state.lastPayload = null;
      showError("Paste an Arabic article first (or open a file).");
      $("article").focus();
      return;
    }
    var payload = { uri: "review:" + new Date().toISOString(), body: text };
    if (headline) payload.headline = headline;
    submit(payload);
  }

  // ---- files: text, one record, or an `mt batch` output (JSON lines) ------------------------------
  var fileRecords = [];

  function onFile() {
    var file = $("file").files && $("file").files[0];
    if (!file) return;
    showError("");
    if (file.size > 512 * 1024 * 1024) { showError("“" + file.name + "” is too large to open in a browser (over 512 MB)."); return; }
    file.text().then(function (text) {
      if (text.charCodeAt(0) === 0xFEFF) text = text.slice(1);
      if (!/^\s*[{[]/.test(text)) {
        $("article").value = text;
        $("headline").value = "";
        $("picker").hidden = true;
        updateCount();
        $("article").focus();
        return;
      }
      loadRecords(file.name, text);
    }, function () {
      showError("The browser could not read “" + file.name + "”.");
    });
  }

  function loadRecords(name, text) {
    var records = [], bad = [];
    var whole = null;
    try { whole = JSON.parse(text); } catch (e) { whole = null; }
    if (whole && typeof whole === "object") {
      (Array.isArray(whole) ? whole : [whole]).forEach(function (obj, i) {
        if (obj && typeof obj === "object" && !Array.isArray(obj)) records.push({ line: i + 1, obj: obj }); else bad.push(i + 1);
      });
    } else {
      text.split(/\r?\n/).forEach(function (line, i) {
        if (!line.trim()) return;
        try {
          var obj = JSON.parse(line);
          if (obj && typeof obj === "object" && !Array.isArray(obj)) records.push({ line: i + 1, obj: obj }); else bad.push(i + 1);
        } catch (e) { bad.push(i + 1); }
      });
    }
    var skipped = bad.length ? " " + count(bad.length, "line") + " could not be read as a record and " +
      (bad.length === 1 ? "was" : "were") + " skipped (first: line " + bad[0] + ")." : "";
    if (!records.length) { $("picker").hidden = true; showError("“" + name + "” holds no JSON records." + skipped); return; }
    fileRecords = records;
    if (records.length === 1) {
      $("picker").hidden = true;
      if (skipped) showError(skipped.trim());
      openRecord(records[0].obj);
      return;
    }
    var translated = records.filter(function (r) { return r.obj.translation; }).length;
    $("picker-title").textContent = "Pick a record from “" + name + "”";
    $("picker-info").textContent = count(records.length, "record") + (translated === records.length ? ", all translated: picking one shows it." :
      translated ? ", " + nf.format(translated) + " translated: a translated one is shown as it is, others are sent to the service." :
      ": the one you pick is sent to the service.") + skipped;
    $("picker-filter").value = "";
    fillPicker("");
    $("picker").hidden = false;
    $("picker-select").focus();
  }

  function recordLabel(r) {
    var o = r.obj, id = o.uri || o.id || o.guid || "line " + r.line;
    var h = typeof o.headline === "string" && o.headline.trim() ? " — " + o.headline.trim().slice(0, 80) : "";
    return String(id) + h;
  }

  function fillPicker(filter) {
    var sel = $("picker-select"), f = filter.trim().toLowerCase();
    sel.textContent = "";
    var shown = 0;
    fileRecords.forEach(function (r, i) {
      var label = recordLabel(r);
      if (f && label.toLowerCase().indexOf(f) < 0) return;
      if (shown >= 2000) return;
      sel.appendChild(el("option", { value: String(i), text: label }));
      shown++;
    });
    if (sel.options.length) sel.selectedIndex = 0;
  }

  function showPicked() {
    var sel = $("picker-select");
    if (sel.selectedIndex < 0) { showError("No record matches the filter."); return; }
    openRecord(fileRecords[+sel.value].obj);
  }

  // ---- wiring -----------------------------------------------------------------------------
  function init() {
    $("article-form").addEventListener("submit", onSubmit);
    $("article").addEventListener("input", updateCount);
    $("headline").addEventListener("input", updateCount);
    $("file").addEventListener("change", onFile);
    $("picker-filter").addEventListener("input", function () { fillPicker(this.value); });
    $("picker-show").addEventListener("click", showPicked);
    $("picker-select").addEventListener("dblclick", showPicked);
    $("picker-select").addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); showPicked(); } });
    $("only-flagged").addEventListener("change", function () { $("pairs").classList.toggle("only-flagged", this.checked); });
    $("copy").addEventListener("click", function () {
      if (!state.lastRecord) return;
      var status = $("copy-status");
      copyText(englishArticle(state.lastRecord)).then(function () {
        status.textContent = "English article copied.";
      }, function () {
        status.textContent = "Could not copy: select the English text and copy it by hand.";
      });
    });
    // repair tips: next to their mark, inside the window; Escape hides the one showing
    var pairs = $("pairs");
    function shownMark() { return pairs.querySelector("mark.repair:hover, mark.repair:focus"); }
    function onShow(ev) {
      var mark = ev.target.closest && ev.target.closest("mark.repair");
      if (mark) { placeTip(mark); requestAnimationFrame(function () { placeTip(mark); }); }
    }
    function onHide(ev) {
      var mark = ev.target.closest && ev.target.closest("mark.repair");
      if (mark && !mark.contains(ev.relatedTarget)) mark.classList.remove("dismissed");
    }
    pairs.addEventListener("mouseover", onShow);
    pairs.addEventListener("focusin", onShow);
    pairs.addEventListener("mouseout", onHide);
    pairs.addEventListener("focusout", onHide);
    window.addEventListener("scroll", function () { var m = shownMark(); if (m) placeTip(m); }, { passive: true });
    window.addEventListener("resize", function () { var m = shownMark(); if (m) placeTip(m); });
    document.addEventListener("keydown", function (ev) {
      if (ev.key !== "Escape") return;
      var m = shownMark();
      if (m) m.classList.add("dismissed");
    });
    updateCount();
    checkService();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
  window.newswireReview = { explainError: explainError, describeFlag: function (f) { return piecesText(describeFlag(f)); }, repairRegions: repairRegions, render: render };
})();
