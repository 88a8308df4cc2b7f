// The accept page of an invitation link: shows what the invitation offers and
// accepts it for the signed-in user (session cookie, or a pasted session
// token). Everything shown is set as text, never as HTML.
"use strict";
(function () {
  const token = new URLSearchParams(window.location.search).get("token") || "";
  const $ = (id) => document.getElementById(id);
  const show = (id, text, isError) => {
    const el = $(id);
    el.hidden = false;
    el.textContent = text;
    el.className = isError ? "error" : "";
  };

  async function graphql(query, variables, session) {
    const headers = { "Content-Type": "application/json", "Accept": "application/graphql-response+json, application/json" };
    if (session) headers["Authorization"] = "Bearer " + session;
    const response = await fetch("/graphql", {
      method: "POST", headers, credentials: "same-origin", body: JSON.stringify({ query, variables }),
    });
    return response.json();
  }

  const code = (body) => (body.errors && body.errors[0] && body.errors[0].extensions && body.errors[0].extensions.code) || "";

  async function preview() {
    if (!token) {
      show("message", "This page needs the link of an invitation: its address ends with ?token=…", true);
      return;
    }
    const body = await graphql(
      "query($token: String!) { invitation(token: $token) { organizationName inviterName email role { name } status expiresAt } }",
      { token });
    const inv = body.data && body.data.invitation;
    if (!inv) {
      show("message", "This invitation link does not work any more: it was used, revoked, or replaced by a newer one.", true);
      return;
    }
    $("title").textContent = "Join " + inv.organizationName;
    $("organization").textContent = inv.organizationName;
    $("inviter").textContent = inv.inviterName;
    $("email").textContent = inv.email;
    $("role").textContent = inv.role.name;
    $("expires").textContent = new Date(inv.expiresAt).toLocaleString();
    $("details").hidden = false;
    if (inv.status === "EXPIRED") {
      show("message", "This invitation has expired: ask " + inv.inviterName + " to send it again.", true);
      $("accept").disabled = true;
      return;
    }
    $("message").hidden = true;
  }

  async function accept() {
    const session = $("session").value.trim() || window.sessionStorage.getItem("orgql:session") || "";
    const body = await graphql(
      "mutation($token: String!) { acceptInvitation(token: $token) { id role { name } } }", { token }, session);
    if (code(body) === "UNAUTHENTICATED") {
      $("signin").hidden = false;
      show("result", "Sign in to accept the invitation.", true);
      return;
    }
    if (body.errors) {
      show("result", body.errors[0].message, true);
      return;
    }
    if (session) window.sessionStorage.setItem("orgql:session", session);
    $("accept").disabled = true;
    show("result", "You joined as " + body.data.acceptInvitation.role.name + ".");
  }

  $("accept").addEventListener("click", () => { accept().catch(() => show("result", "The server could not be reached.", true)); });
  preview().catch(() => show("message", "The server could not be reached.", true));
})();
