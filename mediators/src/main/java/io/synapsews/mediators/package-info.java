/**
 * WebSocket API mediators: {@code <wsAuth>} (token validation at the handshake),
 * {@code <wsThrottle>} (subscription tiers and message throttling), and the
 * {@code <websocketGateway>} startup that runs the built-in key manager and the analytics.
 */
package io.synapsews.mediators;
