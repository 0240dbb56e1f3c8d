/**
 * The browser's single origin: a CloudFront distribution that serves the SPA from a private bucket and forwards
 * `/auth/*`, `/healthz`, `/tests*` and every `addApi` path to the API. One origin for SPA and BFF means the session
 * cookies (`__Host-`, SameSite=Strict) are first-party, and a CloudFront Function can lift the access-token cookie
 * into the header the authorizer reads (and refuse a cookie-borne unsafe request without `X-CSRF: 1`) on every
 * authorized path.
 */
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { BffFrontDoor } from './front-door.js';

/** The CloudFront Function's source, evaluated as is by CloudFront and by the unit tests. */
export const ACCESS_TOKEN_FUNCTION_FILE = join(__dirname, '..', 'edge', 'access-token-to-header.js');

/** Path patterns CloudFront sends to the API; the first two have no authorizer, the third has. */
export const AUTH_PATH_PATTERN = '/auth/*';
export const HEALTH_PATH_PATTERN = '/healthz';
export const PROTECTED_PATH_PATTERN = '/tests*';

/** The CloudFront path pattern of an API mounted at `path` (`/orders` → `/orders*`). */
export function protectedPathPattern(path: string): string {
  return `${path}*`;
}

export interface BffEdgeProps {
  /**
   * The API to forward to; its regional execute-api host is the origin, its stage the origin path: `/auth/login` at
   * the edge is `/<stage>/auth/login` at a REST API.
   */
  readonly frontDoor: BffFrontDoor;
  /** Names the distribution in its comment. */
  readonly label: string;
  /**
   * Serve under a custom name (`<env>.<domain>`) with a us-east-1 certificate.
   * @default - the distribution's own `*.cloudfront.net` name
   */
  readonly customDomain?: { readonly domainName: string; readonly certificate: ICertificate };
  /**
   * What deleting the stack does to the buckets. With DESTROY their objects are emptied first.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How long CloudFront and S3 access logs are kept.
   * @default Duration.days(90)
   */
  readonly accessLogRetention?: Duration;
  /**
   * A directory (the SPA's build output) to upload into the SPA bucket at every deployment, invalidating the
   * distribution's cache afterwards.
   * @default - nothing is uploaded: put the files into `spaBucket` yourself
   */
  readonly spaAssetPath?: string;
}

export class BffEdge extends Construct {
  readonly distribution: Distribution;
  /** Private bucket for the SPA's files: readable by this distribution only (Origin Access Control). */
  readonly spaBucket: Bucket;
  readonly logBucket: Bucket;
  readonly accessTokenFunction: CloudFrontFunction;
  /** `https://<name>` browsers use for the SPA and the BFF alike: the BFF's PUBLIC_BASE_URL. */
  readonly publicBaseUrl: string;
  /** Uploads `spaAssetPath`, when given. */
  readonly spaDeployment?: BucketDeployment;
  private readonly apiBehavior: (extra?: Partial<BehaviorOptions>) => BehaviorOptions;

  constructor(scope: Construct, id: string, props: BffEdgeProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const disposable = removalPolicy === RemovalPolicy.DESTROY;

    this.logBucket = new Bucket(this, 'AccessLogs', {
      // CloudFront standard logging writes with object ACLs, so this bucket (and only this one) keeps them enabled.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: props.accessLogRetention ?? Duration.days(90) }],
      removalPolicy,
      autoDeleteObjects: disposable,
    });

    this.spaBucket = new Bucket(this, 'Spa', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/spa/',
      removalPolicy,
      autoDeleteObjects: disposable,
    });

    this.accessTokenFunction = new CloudFrontFunction(this, 'AccessTokenToHeader', {
      comment: 'Lifts the __Host-bff-at cookie into Authorization: Bearer; refuses cookie-borne unsafe requests without X-CSRF',
      code: FunctionCode.fromFile({ filePath: ACCESS_TOKEN_FUNCTION_FILE }),
      runtime: FunctionRuntime.JS_2_0,
    });

    // The front door builds its host name from the API id, not from its URL: the URL names the stage, and the stage
    // depends on the Lambda, whose PUBLIC_BASE_URL depends on this distribution. The id alone keeps the graph acyclic.
    const apiOrigin = new HttpOrigin(props.frontDoor.originDomainName, {
      ...(props.frontDoor.originPath === undefined ? {} : { originPath: props.frontDoor.originPath }),
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
    });
    const apiBehavior = (extra: Partial<BehaviorOptions> = {}): BehaviorOptions => ({
      origin: apiOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      // Every response is per user and per request: nothing is cached.
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // Cookies, query strings and all viewer headers, Authorization included (allowed with caching disabled), but
      // not Host: API Gateway routes on its own host name. A custom policy may not list Authorization at all.
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: true,
      ...extra,
    });
    this.apiBehavior = apiBehavior;

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `cognito-bff ${props.label}: SPA and BFF`,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.spaBucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
      },
      additionalBehaviors: {
        // The BFF reads its cookies itself here; there is no authorizer to feed.
        [AUTH_PATH_PATTERN]: apiBehavior(),
        // The liveness probe is the BFF's, not a file of the SPA.
        [HEALTH_PATH_PATTERN]: apiBehavior(),
        [PROTECTED_PATH_PATTERN]: this.protectedBehavior(),
      },
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.customDomain === undefined
        ? {}
        : {
            domainNames: [props.customDomain.domainName],
            certificate: props.customDomain.certificate,
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }),
    });

    this.publicBaseUrl = `https://${props.customDomain?.domainName ?? this.distribution.distributionDomainName}`;

    if (props.spaAssetPath !== undefined) {
      this.spaDeployment = new BucketDeployment(this, 'SpaDeployment', {
        sources: [Source.asset(props.spaAssetPath)],
        destinationBucket: this.spaBucket,
        distribution: this.distribution,
        distributionPaths: ['/*'],
        // Files of an older build that the new one no longer has are removed, so a stale chunk cannot be served.
        prune: true,
        memoryLimit: 512,
      });
    }
  }

  /** Forwards `pattern` (an API added with `addApi`) to the API through the cookie-to-header function. */
  addProtectedPath(pattern: string): void {
    const { origin, ...options } = this.protectedBehavior();
    this.distribution.addBehavior(pattern, origin, options);
  }

  private protectedBehavior(): BehaviorOptions {
    return this.apiBehavior({
      functionAssociations: [{ function: this.accessTokenFunction, eventType: FunctionEventType.VIEWER_REQUEST }],
    });
  }
}
