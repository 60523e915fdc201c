/**
 * What every HTTP backend (Prometheus, Zipkin, Tempo) shares: the options that say where the
 * server is and how long to wait ({@link dev.aegis.afs.core.http.HttpBackendOptions}) and one GET
 * with the Authorization header, retries with backoff and a bounded body read
 * ({@link dev.aegis.afs.core.http.HttpBackendClient}). A backend adds its API's paths and its
 * answers' parsing on top.
 */
package dev.aegis.afs.core.http;
