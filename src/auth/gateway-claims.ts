/**
 * The API Gateway authorizer's claims for one request, handed from the Lambda adapter (src/apigateway/) to the guards
 * on the request object itself. A registered symbol, not a header: nothing a client sends over plain HTTP can set it,
 * and two loaded copies of the package still agree on it.
 */
import type { GatewayClaims } from './guards';

const GATEWAY_CLAIMS = Symbol.for('cognito-bff.gateway-claims');

type WithClaims = { [GATEWAY_CLAIMS]?: GatewayClaims };

export function attachGatewayClaims(req: object, claims: GatewayClaims): void {
  (req as WithClaims)[GATEWAY_CLAIMS] = claims;
}

export function gatewayClaimsOf(req: object): GatewayClaims | undefined {
  return (req as WithClaims)[GATEWAY_CLAIMS];
}
