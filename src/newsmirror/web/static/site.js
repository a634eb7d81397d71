/* newsmirror static site: the 繁體 / 简体 / 原文 switch, converting the page's text in the browser.
 *
 * The tables (static/zh-hans.js, static/zh-hant.js) map single characters, taken from OpenCC;
 * they are loaded only when a reader picks a script, and the choice is remembered in
 * localStorage. Each text node keeps its original text, so switching back is exact. Text is set
 * through nodeValue only: nothing here turns text into markup.
 */
(function () {
  "use strict";
  var NM = (window.NM = window.NM || {});
  NM.zh = NM.zh || {};
  var KEY = "newsmirror-script";
  var me = document.currentScript;
  var base = me ? me.src.replace(/site\.js(\?.*)?$/, "") : "static/";
  var maps = {};
  var originals = new WeakMap();
  var current = "orig";

  function saved() {
    try { return window.localStorage.getItem(KEY) || "orig"; } catch (e) { return "orig"; }
  }
  function remember(script) {
    try { window.localStorage.setItem(KEY, script); } catch (e) { /* private mode: the choice lasts this page */ }
  }
  function load(script, done) {
    if (NM.zh[script]) { done(); return; }
    var tag = document.createElement("script");
    tag.src = base + "zh-" + script + ".js";
    tag.onload = done;
    document.head.appendChild(tag);
  }
  function table(script) {
    if (!maps[script]) {
      var pairs = NM.zh[script] || "", map = new Map(), chars = Array.from(pairs);
      for (var i = 0; i + 1 < chars.length; i += 2) map.set(chars[i], chars[i + 1]);
      maps[script] = map;
    }
    return maps[script];
  }
  NM.convert = function (text, script) {
    if (script !== "hans" && script !== "hant") return text;
    var map = table(script), out = "";
    for (var ch of text) out += map.get(ch) || ch;
    return out;
  };
  function skip(node) {
    for (var el = node.parentNode; el; el = el.parentNode) {
      if (el.nodeType !== 1) continue;
      var tag = el.tagName;
      if (tag === "SCRIPT" || tag === "STYLE" || tag === "TEXTAREA" || (tag === "NAV" && el.classList.contains("script"))) return true;
    }
    return false;
  }
  /* Convert the text under `root` (the whole page, or results search.js just added) into the chosen script. */
  NM.applyScript = function (root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT), node;
    while ((node = walker.nextNode())) {
      if (!/[\u3400-\u9fff\uf900-\ufaff]/.test(node.nodeValue) && !originals.has(node)) continue;
      if (skip(node)) continue;
      if (!originals.has(node)) originals.set(node, node.nodeValue);
      var text = originals.get(node);
      node.nodeValue = current === "orig" ? text : NM.convert(text, current);
    }
  };
  function mark(script) {
    var buttons = document.querySelectorAll("nav.script [data-script]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", buttons[i].getAttribute("data-script") === script ? "true" : "false");
    }
  }
  function choose(script) {
    var apply = function () {
      current = script;
      if (!NM.originalLang) NM.originalLang = document.documentElement.lang;
      document.documentElement.lang = script === "hans" ? "zh-Hans" : script === "hant" ? "zh-Hant" : NM.originalLang;
      if (!NM.originalTitle) NM.originalTitle = document.title;
      document.title = script === "orig" ? NM.originalTitle : NM.convert(NM.originalTitle, script);
      NM.applyScript(document.body);
      mark(script);
    };
    if (script === "orig") apply(); else load(script, apply);
  }
  NM.script = function () { return current; };
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("nav.script [data-script]");
    if (!button) return;
    var script = button.getAttribute("data-script");
    remember(script);
    choose(script);
  });
  var first = saved();
  mark(first);
  if (first !== "orig") choose(first);
})();
