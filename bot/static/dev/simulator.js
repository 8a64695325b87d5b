// 村声 simulator. User data is only ever put into the page with textContent / attributes, never innerHTML.
(function () {
  "use strict";
  var API = "/dev/wechat-api";
  var SIM = "/dev/simulator";
  var OPENID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  var $ = function (id) { return document.getElementById(id); };
  var templateTitles = {};  // template id -> title, from /dev/simulator/meta
  var templateLabels = {};  // template id -> {field key -> keyword name}, from /dev/simulator/meta

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function newOpenid() {
    var bytes = new Uint8Array(27), out = "o";
    crypto.getRandomValues(bytes);
    for (var i = 0; i < bytes.length; i++) out += OPENID_CHARS[bytes[i] % 64];
    return out;
  }

  function villagerOpenid() {
    var id = localStorage.getItem("cunsheng.sim.openid");
    if (!id || !/^[A-Za-z0-9_-]{28}$/.test(id)) {
      id = newOpenid();
      localStorage.setItem("cunsheng.sim.openid", id);
    }
    return id;
  }

  function scrollDown(box) { box.scrollTop = box.scrollHeight; }

  function safeHref(url) {
    return typeof url === "string" && /^(https?:\/\/|\/)/i.test(url) ? url : null;
  }

  function fmtTime(ts) {
    var d = new Date(ts * 1000);
    var p = function (n) { return (n < 10 ? "0" : "") + n; };
    return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + p(d.getHours()) + ":" + p(d.getMinutes());
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error((data && data.message) || ("HTTP " + r.status));
        return data;
      });
    });
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.status === 413) throw new Error("内容太大，服务器拒收（HTTP 413）");
        if (!r.ok) throw new Error((data && data.message) || ("HTTP " + r.status));
        return data;
      });
    });
  }

  // ---- rendering what arrives through the fake WeChat API -------------------------------
  function renderCall(call, titles) {
    var req = call.request || {};
    if (call.path === "/cgi-bin/message/template/send") return renderTemplate(call, req, titles);
    if (call.path === "/cgi-bin/message/custom/send") return renderCustom(call, req);
    return null;
  }

  function failure(kind, call) {
    return el("p", "note error", kind + "未送达：" + call.errcode + " " + (call.errmsg || "") +
      (call.http_status && call.http_status !== 200 ? "（HTTP " + call.http_status + "）" : ""));
  }

  function renderTemplate(call, req, titles) {
    if (call.errcode !== 0) return failure("模板消息", call);
    var card = el("article", "card");
    card.appendChild(el("div", "card-title", titles[req.template_id] || "服务通知"));
    card.appendChild(el("div", "card-time", fmtTime(call.time)));
    var dl = el("dl");
    var data = req.data || {};
    var labels = templateLabels[req.template_id] || {};
    Object.keys(data).forEach(function (key) {
      var item = data[key] || {};
      dl.appendChild(el("dt", null, labels[key] || key));
      dl.appendChild(el("dd", null, item.value));
    });
    card.appendChild(dl);
    var href = safeHref(req.url);
    if (href) {
      var a = el("a", "card-link", "详情 ›");
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener";
      card.appendChild(a);
    }
    return card;
  }

  function renderCustom(call, req) {
    if (call.errcode !== 0) return failure("客服消息", call);
    var bubble = el("div", "msg them");
    bubble.appendChild(el("span", "tag", "客服消息 · " + fmtTime(call.time)));
    var t = req.msgtype, body = req[t] || {};
    if (t === "text") {
      bubble.appendChild(document.createTextNode(String(body.content || "")));
    } else if (t === "image" && body.media_id) {
      var img = el("img");
      img.alt = "图片";
      img.src = API + "/_pic/" + encodeURIComponent(body.media_id);
      bubble.appendChild(img);
    } else if (t === "news" && body.articles) {
      body.articles.forEach(function (art) {
        var href = safeHref(art.url);
        var line = el(href ? "a" : "div", null, art.title || "(无标题)");
        if (href) { line.href = href; line.target = "_blank"; line.rel = "noopener"; }
        bubble.appendChild(line);
        if (art.description) bubble.appendChild(el("div", "tag", art.description));
      });
    } else {
      bubble.appendChild(document.createTextNode("[" + t + " 消息]"));
    }
    return bubble;
  }

  // A poller of /sent for one openid, appending into a box.
  function Feed(box) {
    this.box = box;
    this.openid = null;
    this.since = 0;
    this.busy = false;
  }
  Feed.prototype.follow = function (openid) {
    this.openid = openid;
    this.since = 0;
  };
  Feed.prototype.poll = function () {
    var self = this, openid = this.openid;
    if (!openid || this.busy) return;
    this.busy = true;
    getJSON(API + "/sent?touser=" + encodeURIComponent(openid) + "&since_id=" + this.since)
      .then(function (data) {
        if (openid !== self.openid) return;
        var titles = Object.assign({}, templateTitles, data.template_titles || {});
        (data.calls || []).forEach(function (call) {
          var node = renderCall(call, titles);
          if (node) self.box.appendChild(node);
        });
        if ((data.calls || []).length) scrollDown(self.box);
        self.since = data.last_id || self.since;
      })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { self.busy = false; });
  };

  // ---- the villager's phone ----------------------------------------------------------------
  var vChat = $("v-chat");
  var openid = villagerOpenid();
  var villagerFeed = new Feed(vChat);

  function showOpenid() {
    $("v-openid").textContent = openid;
    villagerFeed.follow(openid);
  }

  function mine(text, imageUrl) {
    var bubble = el("div", "msg me");
    if (imageUrl) {
      var img = el("img");
      img.alt = "照片";
      img.src = imageUrl;
      bubble.appendChild(img);
    } else {
      bubble.textContent = text;
    }
    vChat.appendChild(bubble);
    scrollDown(vChat);
  }

  function note(text, isError) {
    vChat.appendChild(el("p", isError ? "note error" : "note", text));
    scrollDown(vChat);
  }

  function setBusy(busy) {
    var buttons = document.querySelectorAll("#villager button, #villager input[type=file]");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = busy;
  }

  function deliver(message) {
    message.openid = openid;
    setBusy(true);
    return postJSON(SIM + "/send", message)
      .then(function (res) {
        if (res.status !== 200) {
          note("公众号服务器返回 HTTP " + res.status + (res.body ? "：" + res.body : ""), true);
        } else if (res.error) {
          note(res.error + (res.body ? "\n" + res.body : ""), true);
        } else if (res.reply !== null && res.reply !== undefined) {
          var bubble = el("div", "msg them");
          bubble.textContent = res.reply;
          vChat.appendChild(bubble);
        } else if (res.msg_type) {
          note("（收到 " + res.msg_type + " 类型的回复）");
        } else {
          note("（公众号没有回复）");
        }
        if (res.elapsed_ms > 4500) note("回复用了 " + res.elapsed_ms + " 毫秒：超过 5 秒微信会重试三次，然后提示“该公众号暂时无法提供服务”。", true);
        scrollDown(vChat);
      })
      .catch(function (err) { note("发送失败：" + err.message, true); })
      .then(function () { setBusy(false); villagerFeed.poll(); });
  }

  var MAX_TEXT = parseInt($("v-text").getAttribute("data-max"), 10) || 5000;

  // What WeChat's own client refuses never reaches the server: say so, as its toast does.
  function sendable(text) {
    if (!text.trim()) { note("不能发送空白消息"); return false; }
    var length = Array.from(text).length;
    if (length > MAX_TEXT) {
      note("文字太长（" + length + " 字），模拟器一次最多发送 " + MAX_TEXT + " 字，请分几条发送。");
      return false;
    }
    return true;
  }

  $("v-text-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = $("v-text").value;
    if (!sendable(text)) return;
    mine(text);
    $("v-text").value = "";
    deliver({ type: "text", content: text });
  });

  $("v-more").addEventListener("click", function () {
    var panel = $("v-panel");
    panel.hidden = !panel.hidden;
    this.setAttribute("aria-expanded", String(!panel.hidden));
  });

  $("v-voice").addEventListener("click", function () {
    var text = $("v-text").value.trim();
    if (!text) { note("先在输入框里写下语音的识别结果。"); return; }
    if (!sendable(text)) return;
    mine("🎤 语音（识别：" + text + "）");
    $("v-text").value = "";
    deliver({ type: "voice", recognition: text });
  });

  $("v-voice-raw").addEventListener("click", function () {
    mine("🎤 语音（没有识别结果）");
    deliver({ type: "voice" });
  });

  $("v-location").addEventListener("click", function () {
    var lat = parseFloat($("v-lat").value), lng = parseFloat($("v-lng").value), label = $("v-label").value;
    if (isNaN(lat) || isNaN(lng)) { note("纬度和经度必须是数字。", true); return; }
    mine("📍 " + label + "（" + lat + ", " + lng + "）");
    deliver({ type: "location", lat: lat, lng: lng, label: label });
  });

  function shrink(file) {
    // Phone photos can be large: downscale big ones to at most 1600 px as WeChat does.
    if (file.size < 1.5 * 1024 * 1024 || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bmp) {
      var scale = Math.min(1, 1600 / Math.max(bmp.width, bmp.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bmp.width * scale);
      canvas.height = Math.round(bmp.height * scale);
      canvas.getContext("2d").drawImage(bmp, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }

  $("v-photo").addEventListener("change", function () {
    var input = this, file = input.files && input.files[0];
    if (!file) return;
    setBusy(true);
    shrink(file).then(function (blob) {
      var form = new FormData();
      form.append("media", blob, file.name || "photo.jpg");
      return fetch(SIM + "/upload", { method: "POST", body: form }).then(function (r) {
        return r.json().then(function (data) {
          if (!r.ok) throw new Error(data.message || ("HTTP " + r.status));
          return data;
        });
      });
    }).then(function (up) {
      mine(null, URL.createObjectURL(file));
      return deliver({ type: "image", media_id: up.media_id });
    }).catch(function (err) {
      note("照片发送失败：" + err.message, true);
      setBusy(false);
    }).then(function () { input.value = ""; });
  });

  $("v-follow").addEventListener("click", function () {
    var scene = $("v-scene").value;
    note(scene ? "扫描“" + scene + "”的二维码关注了公众号" : "关注了公众号");
    deliver(scene ? { type: "subscribe", scene: scene } : { type: "subscribe" });
  });

  $("v-unfollow").addEventListener("click", function () {
    note("取消关注了公众号");
    deliver({ type: "unsubscribe" });
  });

  $("v-new-user").addEventListener("click", function () {
    openid = newOpenid();
    localStorage.setItem("cunsheng.sim.openid", openid);
    vChat.textContent = "";
    note("已换成一个新的微信用户");
    showOpenid();
  });

  // ---- the cadre's phone -------------------------------------------------------------------
  var cList = $("c-list");
  var cadreFeed = new Feed(cList);

  function loadMeta() {
    return getJSON(SIM + "/meta").then(function (meta) {
      templateTitles = meta.template_titles || {};
      templateLabels = meta.template_labels || {};
      var scene = $("v-scene"), keepScene = scene.value;
      while (scene.options.length > 1) scene.remove(1);
      (meta.villages || []).forEach(function (v) {
        var opt = el("option", null, v.township + " · " + v.name + "（qrscene_" + v.name + "）");
        opt.value = v.name;
        scene.appendChild(opt);
      });
      scene.value = keepScene;

      var select = $("c-member");
      var keep = select.value || localStorage.getItem("cunsheng.sim.cadre") || "";
      while (select.options.length > 1) select.remove(1);
      (meta.members || []).forEach(function (m) {
        var where = [m.village, m.team].filter(Boolean).join(" / ");
        var opt = el("option", null, m.name + " · " + m.role_label + (where ? " · " + where : ""));
        opt.value = m.openid;
        select.appendChild(opt);
      });
      select.value = keep;
      if (select.value !== keep) select.value = "";
      chooseCadre(select.value);
    }).catch(function (err) {
      cList.textContent = "";
      cList.appendChild(el("p", "note error", "无法读取村庄和干部：" + err.message));
    });
  }

  function chooseCadre(cadreOpenid) {
    if (cadreOpenid === cadreFeed.openid) return;
    localStorage.setItem("cunsheng.sim.cadre", cadreOpenid);
    cList.textContent = "";
    if (!cadreOpenid) {
      cList.appendChild(el("p", "note", "选择一位干部，查看他通过微信收到的模板消息和客服消息（每 2 秒刷新）。"));
      cadreFeed.follow(null);
      return;
    }
    cList.appendChild(el("p", "note", "openid " + cadreOpenid));
    cadreFeed.follow(cadreOpenid);
    cadreFeed.poll();
  }

  $("c-member").addEventListener("change", function () { chooseCadre(this.value); });
  $("c-reload").addEventListener("click", function () {
    loadMeta().then(function () { cadreFeed.poll(); villagerFeed.poll(); });
  });

  showOpenid();
  loadMeta();
  villagerFeed.poll();
  setInterval(function () { villagerFeed.poll(); cadreFeed.poll(); }, 2000);
})();
