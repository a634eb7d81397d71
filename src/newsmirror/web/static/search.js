/* newsmirror static site: search in the browser, offline, from the files under search/.
 *
 * The query is folded as the index was (Simplified per character from static/zh-hans.js,
 * half-width, lower case), each term is expanded through the archive's spelling aliases (meta.js),
 * split into CJK bigrams and Latin words, and only the shard files of those tokens are loaded
 * (publish/search.py describes the files; shard numbers are computed here exactly as there); when
 * meta.recent says an incremental build left a recent tail, a token's ids are its shard's and its tail file's.
 * Results are written with textContent and DOM nodes only, never as markup.
 */
(function () {
  "use strict";
  var NM = (window.NM = window.NM || {});
  var box = document.getElementById("search-results");
  var form = document.getElementById("site-search");
  if (!box || !form) return;
  var root = box.getAttribute("data-root") || "";
  var PAGE = 20;
  var meta = null, shards = {}, recents = {}, blocks = {}, waiting = {};

  function loadScript(src, key) {
    return new Promise(function (resolve, reject) {
      waiting[key] = resolve;
      var tag = document.createElement("script");
      tag.src = src;
      tag.onerror = function () { reject(new Error("cannot load " + src)); };
      document.head.appendChild(tag);
    });
  }
  NM.m = function (m) { meta = m; if (waiting.meta) waiting.meta(); };
  NM.s = function (n, bigrams, words, lengths, lasts, data) {
    shards[n] = { bigrams: bigrams, words: words, lengths: lengths, data: data };
    if (waiting["s" + n]) waiting["s" + n]();
  };
  /* the recent tail: articles an incremental build added since the shards were last merged, laid out as shards */
  NM.r = function (n, bigrams, words, lengths, lasts, data) {
    recents[n] = { bigrams: bigrams, words: words, lengths: lengths, data: data };
    if (waiting["r" + n]) waiting["r" + n]();
  };
  NM.d = function (n, rows) { blocks[n] = rows; if (waiting["d" + n]) waiting["d" + n](); };

  /* --- folding and tokens (chinese/chartable.py, publish/search.py) --- */
  var foldMap = null;
  function fold(text) {
    if (!foldMap) {
      foldMap = new Map();
      var chars = Array.from((NM.zh && NM.zh.hans) || "");
      for (var i = 0; i + 1 < chars.length; i += 2) foldMap.set(chars[i], chars[i + 1]);
    }
    var out = "";
    for (var ch of text) {
      var c = ch.codePointAt(0);
      if (c >= 0xff01 && c <= 0xff5e) ch = String.fromCharCode(c - 0xfee0);
      else if (c === 0x3000) ch = " ";
      out += foldMap.get(ch) || ch;
    }
    return out.toLowerCase();
  }
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+/g;
  var WORD = /[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]{2,}/g;
  var RUNS = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+|[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+/g;
  function tokens(folded) {
    var out = [], m;
    (folded.match(CJK) || []).forEach(function (run) {
      for (var i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
    });
    while ((m = WORD.exec(folded))) out.push(m[0]);
    WORD.lastIndex = 0;
    return out;
  }
  /* The alias key of a folded spelling: CJK runs joined, other runs separated by one space (chinese/aliases.py). */
  function aliasKey(folded) {
    var runs = folded.match(RUNS) || [], out = "", prevCjk = true;
    runs.forEach(function (run) {
      var cjk = CJK.test(run);
      CJK.lastIndex = 0;
      if (out && !(cjk && prevCjk)) out += " ";
      out += run;
      prevCjk = cjk;
    });
    return out;
  }
  function shardOf(token) {
    var h = 0x811c9dc5;
    for (var i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193) >>> 0;
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
    return (h >>> 0) & ((1 << meta.bits) - 1);
  }
  function shardPath(n) { return root + "search/t/" + (n >> 8) + "/" + (n & 255) + ".js"; }
  function recentOf(n) { return n & ((1 << meta.recent_bits) - 1); }
  function recentPath(n) { return root + "search/r/" + n + ".js"; }
  function blockPath(n) { return root + "search/d/" + Math.floor(n / 1000) + "/" + n + ".js"; }
  function bytesOf(b64) {
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var j = 0; j < bin.length; j++) bytes[j] = bin.charCodeAt(j);
    return bytes;
  }
  function varints(bytes) {
    var out = [], cur = 0, shift = 0;
    for (var k = 0; k < bytes.length; k++) {
      cur += (bytes[k] & 0x7f) * Math.pow(2, shift);
      if (bytes[k] & 0x80) { shift += 7; continue; }
      out.push(cur); cur = 0; shift = 0;
    }
    return out;
  }
  /* A shard's tokens (bigrams, then words) with where each one's ids lie in its data. */
  function open(shard) {
    if (shard.at) return;
    shard.at = new Map();
    var lengths = varints(bytesOf(shard.lengths)), start = 0, i = 0;
    for (var b = 0; b + 1 < shard.bigrams.length; b += 2, i++) {
      shard.at.set(shard.bigrams.slice(b, b + 2), [start, start + lengths[i]]);
      start += lengths[i];
    }
    shard.words.forEach(function (w) { shard.at.set(w, [start, start + lengths[i]]); start += lengths[i]; i++; });
    shard.bytes = bytesOf(shard.data);
  }
  function idsIn(shard, token, ids) {
    open(shard);
    var span = shard.at.get(token);
    if (!span) return ids;
    var gaps = varints(shard.bytes.subarray(span[0], span[1])), prev = 0;
    for (var k = 0; k < gaps.length; k++) { prev += gaps[k]; ids.push(prev); }
    return ids;
  }
  function idsOf(token) {
    var n = shardOf(token), ids = idsIn(shards[n], token, []);
    if (!meta.recent) return ids;
    return Array.from(new Set(idsIn(recents[recentOf(n)], token, ids)));
  }
  function intersect(a, b) {
    var set = new Set(b);
    return a.filter(function (x) { return set.has(x); });
  }

  /* --- the query --- */
  function parse(q) {
    var aliases = new Map();
    meta.aliases.forEach(function (group) { group.forEach(function (s) { aliases.set(aliasKey(s), group); }); });
    var whole = aliases.get(aliasKey(fold(q)));
    var terms = whole ? [q] : q.split(/\s+/).filter(Boolean);
    return terms.map(function (term) {
      var folded = fold(term), group = aliases.get(aliasKey(folded)) || [folded];
      var spellings = group.map(function (s) { return tokens(s); }).filter(function (t) { return t.length; });
      return { term: term, spellings: spellings };
    });
  }
  function search(q) {
    var terms = parse(q), short = terms.filter(function (t) { return !t.spellings.length; });
    if (short.length) return Promise.reject(new Error("「" + short[0].term + "」太短：每個詞至少兩個字"));
    var needed = new Set(), recent = new Set();
    terms.forEach(function (t) { t.spellings.forEach(function (s) { s.forEach(function (tok) { needed.add(shardOf(tok)); }); }); });
    if (meta.recent) needed.forEach(function (n) { recent.add(recentOf(n)); });
    return Promise.all(Array.from(needed).filter(function (n) { return !shards[n]; }).map(function (n) {
      return loadScript(shardPath(n), "s" + n);
    }).concat(Array.from(recent).filter(function (n) { return !recents[n]; }).map(function (n) {
      return loadScript(recentPath(n), "r" + n);
    }))).then(function () {
      var result = null;
      terms.forEach(function (t) {
        var union = new Set();
        t.spellings.forEach(function (s) {
          var ids = null;
          s.forEach(function (tok) { ids = ids === null ? idsOf(tok) : intersect(ids, idsOf(tok)); });
          (ids || []).forEach(function (id) { union.add(id); });
        });
        var list = Array.from(union);
        result = result === null ? list : intersect(result, list);
      });
      return (result || []).sort(function (a, b) { return b - a; });
    });
  }

  /* --- showing results --- */
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function show(ids, from, list, more) {
    var page = ids.slice(from, from + PAGE), need = new Set();
    page.forEach(function (id) { need.add(Math.floor(id / meta.block)); });
    return Promise.all(Array.from(need).filter(function (n) { return !blocks[n]; }).map(function (n) {
      return loadScript(blockPath(n), "d" + n);
    })).then(function () {
      page.forEach(function (id) {
        var row = (blocks[Math.floor(id / meta.block)] || []).find(function (r) { return r[0] === id; });
        if (!row) return;
        var li = el("li"), h3 = el("h3"), a = el("a", null, row[1] || "(無題)");
        var day = row[3].slice(0, 10).split("-");
        a.href = root + day[0] + "/" + day[1] + "/" + day[2] + "/" + Math.floor(id / 1000) + "/" + id + ".html";
        h3.appendChild(a);
        li.appendChild(h3);
        var p = el("p", "meta");
        p.appendChild(el("span", "source", row[2]));
        p.appendChild(document.createTextNode(" · " + row[3]));
        li.appendChild(p);
        list.appendChild(li);
      });
      more.hidden = from + PAGE >= ids.length;
      if (NM.applyScript) NM.applyScript(list);
    });
  }
  function run(q) {
    box.textContent = "";
    var status = el("p", "meta", "搜尋中…");
    box.appendChild(status);
    (meta ? Promise.resolve() : loadScript(root + "search/meta.js", "meta")).then(function () {
      return search(q);
    }).then(function (ids) {
      status.textContent = "";
      status.appendChild(el("strong", "count", String(ids.length)));
      status.appendChild(document.createTextNode(" 篇符合「" + q + "」" + (ids.length ? "（由新到舊）" : "")));
      status.className = "count";
      if (!ids.length) { box.appendChild(el("p", "empty", "沒有找到符合的報導。")); return; }
      var list = el("ol", "articles results"), more = el("button", "more", "更多結果");
      more.type = "button";
      box.appendChild(list);
      box.appendChild(more);
      var shown = 0;
      more.addEventListener("click", function () { shown += PAGE; show(ids, shown, list, more); });
      return show(ids, 0, list, more);
    }).catch(function (err) {
      status.className = "error";
      status.setAttribute("role", "alert");
      status.textContent = err.message;
    }).then(function () { if (NM.applyScript) NM.applyScript(box); });
  }
  var q = (new URLSearchParams(window.location.search).get("q") || "").trim().slice(0, 200);
  function start() {
    if (!q) return;
    document.getElementById("q").value = q;
    run(q);
  }
  /* the t2s table folds queries, whatever script the page shows: load it first when site.js has not */
  if (NM.zh && NM.zh.hans) start();
  else {
    var tag = document.createElement("script");
    tag.src = root + "static/zh-hans.js";
    tag.onload = start;
    document.head.appendChild(tag);
  }
})();
