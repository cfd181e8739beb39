package io.synapsews.gateway;

/**
 * Every test of {@link ApiGatewayTest} (tokens, key types, tiers and their exact counts both ways, the
 * close on limit and on expiry, metrics and the connection log) with every message mediated: the
 * compiled lane the demo API takes by default must give exactly the same answers as the full engine.
 */
@ApiGatewayTest.EveryMessageMediated
class ApiGatewayMediatedLaneTest extends ApiGatewayTest {
}
