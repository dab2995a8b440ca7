// Passkeys ("huellas") with WebAuthn. A form marked data-passkey="register" or "sign-in"
// gets its hidden "credential" field filled by the browser's passkey prompt, then is
// submitted as an ordinary form: the server answers with a normal page. Without JavaScript
// or WebAuthn these forms stay hidden and the page explains why.
(function () {
  "use strict";

  if (!window.PublicKeyCredential || !window.fetch) {
    return;
  }

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var padded = base64 + "===".slice((base64.length + 3) % 4);
    var binary = atob(padded);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(json) {
    json.challenge = toBytes(json.challenge);
    json.user.id = toBytes(json.user.id);
    (json.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return { publicKey: json };
  }

  function requestOptions(json) {
    json.challenge = toBytes(json.challenge);
    (json.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return { publicKey: json };
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var out = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toBase64url(response.clientDataJSON) }
    };
    if (credential.authenticatorAttachment) {
      out.authenticatorAttachment = credential.authenticatorAttachment;
    }
    if (response.attestationObject) {
      out.response.attestationObject = toBase64url(response.attestationObject);
      out.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      out.response.authenticatorData = toBase64url(response.authenticatorData);
      out.response.signature = toBase64url(response.signature);
      out.response.userHandle = response.userHandle ? toBase64url(response.userHandle) : null;
    }
    return JSON.stringify(out);
  }

  function showError(form, message) {
    var box = form.querySelector("[data-passkey-error]");
    box.textContent = message;
    box.hidden = false;
    box.focus();
  }

  function start(form) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var registering = form.dataset.passkey === "register";
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.dataset.optionsUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token }
    })
      .then(function (response) {
        if (!response.ok) { throw new Error("options " + response.status); }
        return response.json();
      })
      .then(function (json) {
        return registering
          ? navigator.credentials.create(creationOptions(json))
          : navigator.credentials.get(requestOptions(json));
      })
      .then(function (credential) {
        form.querySelector("input[name=credential]").value = credentialJSON(credential);
        form.submit();
      })
      .catch(function (error) {
        button.disabled = false;
        var cancelled = error && error.name === "NotAllowedError";
        showError(form, cancelled ? form.dataset.cancelledMessage : form.dataset.failedMessage);
      });
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      if (!form.querySelector("input[name=credential]").value) {
        event.preventDefault();
        start(form);
      }
    });
  });
  document.querySelectorAll("[data-passkey-unsupported]").forEach(function (element) {
    element.hidden = true;
  });
})();
