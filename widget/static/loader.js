/* Rapport loader (/widget.js), the script a business pastes. Tiny and never blocking.
 *
 * A page view costs this file and one small cached answer (is this origin allowed, which
 * colour): no iframe, no socket, no visitor. The chat iframe is created when the visitor
 * shows interest (hover or focus of the launcher warms it up, a click opens it) or when
 * this browser already has a conversation (to show unread replies).
 *
 * The widget's memory (visitor token, outbox, read cursor) lives in this page's own
 * localStorage, handed to the iframe over postMessage: browsers that block or partition
 * third-party storage would otherwise forget the visitor on every page. window.Rapport
 * works before this loads (calls queue in Rapport.q). Page and iframe check each other's
 * origin on every message.
 *
 * Budget: a page view downloads at most 3 KB from Rapport (tests/tests/widget_e2e/budget.rs).
 * Built by `cargo xtask build`, which drops comment lines and indentation: keep one
 * statement per line and no comment after code on a line. */
(function (w, d) {
  "use strict";
  if (w.__rapport) return;
  w.__rapport = 1;
  var script = d.currentScript || d.querySelector("script[data-site]");
  var site = script && script.getAttribute("data-site");
  if (!site) return;
  var base = new URL(script.src, location.href).origin;
  var fr = /^fr\b/i.test(navigator.language);
  var queued = (w.Rapport && w.Rapport.q) || [];
  var handlers = {}, outbox = [], frame, launcher, badge, ready, open, refused;
  var phone = w.matchMedia("(max-width:480px)");
  var KEY = "rapport." + site + ".";
  var store = {};
  try {
    store = w.localStorage;
  } catch (e) {}

  function el(tag, style) {
    var e = d.createElement(tag);
    e.style.cssText = style;
    return e;
  }
  function emit(ev, data) {
    (handlers[ev] || []).forEach(function (fn) {
      try {
        fn(data);
      } catch (e) {
        setTimeout(function () { throw e; });
      }
    });
  }
  function post(msg) {
    msg.rapport = 1;
    ready ? frame.contentWindow.postMessage(msg, base) : outbox.push(msg);
  }
  // The server's limits (PROTOCOL.md, `page`): a longer title is cut, a longer URL refused.
  function page() {
    if (ready) post({ cmd: "page", url: location.href.slice(0, 2048), title: d.title.slice(0, 300) });
  }

  // Panel closed: a reply beeps (WebAudio) and flashes the title until the chat is opened
  // or the tab comes back.
  var audio, title, flashing, note;
  function beep() {
    try {
      audio = audio || new AudioContext();
      var o = audio.createOscillator(), g = audio.createGain(), t = audio.currentTime;
      o.frequency.value = 880;
      g.gain.setValueAtTime(.1, t);
      g.gain.exponentialRampToValueAtTime(.001, t + .3);
      o.connect(g).connect(audio.destination);
      o.start(t);
      o.stop(t + .3);
    } catch (e) {}
  }
  function flash(n) {
    note = "(" + n + ") " + (fr ? "Nouveau message" : "New message");
    if (!flashing) {
      title = d.title;
      flashing = setInterval(function () { d.title = d.title == note ? title : note; }, 1200);
    }
    d.title = note;
  }
  function unflash() {
    if (flashing) {
      clearInterval(flashing);
      flashing = 0;
      d.title = title;
    }
  }

  var SVG = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"><path ';
  var CHAT = SVG + 'fill="currentColor" d="M12 3C6.5 3 2 6.9 2 11.7c0 2.6 1.3 4.9 3.4 6.5L4.6 22l4.3-2.3c1 .3 2 .4 3.1.4 5.5 0 10-3.9 10-8.7S17.5 3 12 3z"/></svg>';
  var SHUT = SVG + 'd="M6 9l6 6 6-6" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"/></svg>';

  function layout() {
    if (frame) {
      frame.style.inset = phone.matches ? "0" : "auto 20px 96px auto";
      frame.style.width = phone.matches ? "100%" : "380px";
      frame.style.height = phone.matches ? "100%" : "min(640px,calc(100% - 120px))";
      frame.style.borderRadius = phone.matches ? "0" : "16px";
      frame.style.display = open ? "block" : "none";
    }
    launcher.setAttribute("aria-expanded", !!open);
    launcher.firstChild.innerHTML = open ? SHUT : CHAT;
    // On a phone the open panel covers the page; its own button closes it.
    launcher.style.display = open && phone.matches ? "none" : "flex";
  }

  function create() {
    if (frame) return;
    frame = el("iframe", "position:fixed;border:0;z-index:2147483000;background:#fff;box-shadow:0 12px 48px rgba(15,23,42,.22)");
    frame.title = fr ? "Discussion" : "Chat";
    frame.src = base + "/widget/frame?site=" + encodeURIComponent(site) + "&host=" + encodeURIComponent(location.origin);
    d.body.appendChild(frame);
    layout();
  }

  var api = {
    open: function () {
      create();
      open = 1;
      layout();
      unflash();
      // The click gave this page the focus; the panel takes it over (to its composer).
      frame.focus();
      post({ cmd: "open" });
      emit("open");
    },
    close: function () {
      if (!open) return;
      open = 0;
      layout();
      post({ cmd: "close" });
      emit("close");
    },
    toggle: function () {
      open ? api.close() : api.open();
    },
    identify: function (who) {
      post({ cmd: "identify", data: who || {} });
    },
    setAttributes: function (attrs) {
      post({ cmd: "attributes", data: attrs || {} });
    },
    on: function (ev, fn) {
      (handlers[ev] = handlers[ev] || []).push(fn);
    }
  };

  w.addEventListener("message", function (e) {
    var m = e.data, ev = m && m.ev;
    if (!frame || e.source != frame.contentWindow || e.origin != base || !m || m.rapport != 1) return;
    if (ev == "boot") {
      // The iframe's memory, read now (another tab may have changed it) and sent at once.
      var memory = {};
      for (var i = 0; i < store.length; i++) {
        var k = store.key(i);
        if (!k.indexOf(KEY)) memory[k.slice(KEY.length)] = store.getItem(k);
      }
      frame.contentWindow.postMessage({ rapport: 1, cmd: "memory", data: memory }, base);
    } else if (ev == "store") {
      try {
        m.value == null ? store.removeItem(KEY + m.key) : store.setItem(KEY + m.key, m.value);
      } catch (e) {}
    } else if (ev == "ready") {
      ready = 1;
      if (/^#[0-9a-f]{6}$/i.test(m.color)) launcher.style.background = m.color;
      page();
      if (open) post({ cmd: "open" });
      outbox.splice(0).forEach(post);
      emit(ev);
    } else if (ev == "close") {
      api.close();
      launcher.focus();
    } else if (ev == "unread") {
      badge.textContent = m.count > 9 ? "9+" : m.count;
      badge.style.display = m.count ? "flex" : "none";
      m.count && !open ? flash(m.count) : unflash();
      emit(ev, m.count);
    } else if (ev == "message") {
      if (!open) beep();
      emit(ev, { body: m.body, created_at: m.created_at });
    } else if (ev == "error") {
      emit(ev, { code: m.code, message: m.message });
    }
  });

  function start(color) {
    if (launcher) return;
    launcher = el("button", "position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;padding:0;cursor:pointer;color:#fff;box-shadow:0 6px 24px rgba(15,23,42,.25);z-index:2147483000;align-items:center;justify-content:center");
    launcher.style.background = color || script.getAttribute("data-color") || "#3b5bdb";
    launcher.type = "button";
    launcher.setAttribute("aria-label", fr ? "Ouvrir la discussion" : "Open chat");
    launcher.setAttribute("data-rapport-launcher", "");
    launcher.appendChild(el("span", ""));
    badge = el("span", "position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 6px;box-sizing:border-box;border-radius:10px;background:#e03131;color:#fff;display:none;font:600 12px/20px system-ui,sans-serif;align-items:center;justify-content:center;border:2px solid #fff");
    badge.setAttribute("data-rapport-unread", "");
    launcher.appendChild(badge);
    launcher.onclick = api.toggle;
    // Interest: load the chat now so that opening it is instant.
    launcher.onpointerenter = launcher.onfocus = launcher.ontouchstart = create;
    d.body.appendChild(launcher);
    layout();
    // A conversation already: connect to show its unread replies.
    try {
      if (store.getItem(KEY + "conversation")) (w.requestIdleCallback || setTimeout)(create, { timeout: 2000 });
    } catch (e) {}
    phone.onchange = layout;
    // Single-page apps: tell the agents when the visitor moves on.
    ["pushState", "replaceState"].forEach(function (k) {
      var original = history[k];
      history[k] = function () {
        var r = original.apply(this, arguments);
        page();
        return r;
      };
    });
    w.addEventListener("popstate", page);
    w.addEventListener("hashchange", page);
    w.addEventListener("focus", unflash);
    queued.forEach(function (args) { w.Rapport.apply(null, args); });
  }

  // Before the launcher is drawn, calls wait (and are dropped if the origin is refused);
  // listeners register at once, so that a refusal reaches them.
  w.Rapport = function (name) {
    if (name == "on" || launcher) {
      var fn = api[name];
      if (fn) return fn.apply(null, [].slice.call(arguments, 1));
    } else if (!refused) queued.push(arguments);
  };
  queued = queued.filter(function (args) {
    if (args[0] != "on") return 1;
    w.Rapport.apply(null, args);
  });

  function begin(color) {
    // The launcher waits for the page's body.
    d.body ? start(color) : d.addEventListener("DOMContentLoaded", function () { start(color); });
  }
  // Is this page's origin allowed to show the chat? A refused one gets no launcher (it
  // could only open a blank frame) and an `error` event. The answer is cached a while.
  // Only a verdict (403 refused origin, 404 unknown site) hides it: Rapport unreachable or
  // failing still gets the launcher, and the chat retries when opened.
  fetch(base + "/api/v1/widget/launcher?site_key=" + encodeURIComponent(site)).then(function (r) {
    return r.json().then(function (j) {
      if (r.status == 403 || r.status == 404) throw j;
      begin(j.color);
    });
  }).catch(function (j) {
    if (!j.code) return begin();
    refused = 1;
    emit("error", { code: j.code, message: j.message });
  });
})(window, document);
