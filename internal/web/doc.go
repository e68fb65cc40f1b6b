// Package web is the HTTP plumbing the JSON API (api) and the console
// (console) share, so that neither reaches into the other: who is calling
// (Principal, put on the request by the API's bearer authentication or
// the console's session), the roles each route may declare, RFC 9457
// problem answers with per-field errors, the request validator, the
// response headers and request id every answer carries, the throttle on
// authentication by client address (AuthGuard) and CSV downloads.
package web
