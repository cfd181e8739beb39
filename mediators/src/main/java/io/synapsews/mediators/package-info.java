/**
 * WebSocket API mediators: token validation at the handshake, subscription tiers and message
 * throttling, analytics. Empty until the API gateway issue.
 */
package io.synapsews.mediators;
