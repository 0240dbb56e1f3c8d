/**
 * Optional custom names: the API at `<env>-api.<domain>` (the seed's record, as an alias instead of a CNAME on an
 * undefined domain), and Route 53 alias records for the names the other constructs serve.
 *
 * The zone comes from attributes in context (`HostedZone.fromHostedZoneAttributes`), never `HostedZone.fromLookup`,
 * which needs AWS credentials at synth.
 */
import { BasePathMapping, DomainName, EndpointType, type RestApi, SecurityPolicy } from 'aws-cdk-lib/aws-apigateway';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import type { UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import {
  AaaaRecord,
  type AliasRecordTargetConfig,
  ARecord,
  HostedZone,
  type IAliasRecordTarget,
  type IHostedZone,
  RecordTarget,
} from 'aws-cdk-lib/aws-route53';
import { ApiGatewayDomain, CloudFrontTarget } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { HostedZoneConfig } from './config.js';

export interface ApiCustomDomainProps {
  /** Fully qualified name, e.g. `dev-api.example.com`. */
  readonly domainName: string;
  /** Regional ACM certificate covering `domainName`, in the stack's region. */
  readonly certificate: ICertificate;
  readonly api: RestApi;
}

/** `https://<domainName>/` serves the API's stage at the root (no stage segment in the path). */
export class ApiCustomDomain extends Construct {
  readonly domain: DomainName;
  /** The literal name (the construct's `domainName` attribute is a token, unusable as a record name). */
  readonly domainName: string;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiCustomDomainProps) {
    super(scope, id);
    this.domain = new DomainName(this, 'Domain', {
      domainName: props.domainName,
      certificate: props.certificate,
      endpointType: EndpointType.REGIONAL,
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    new BasePathMapping(this, 'Mapping', {
      domainName: this.domain,
      restApi: props.api,
      stage: props.api.deploymentStage,
    });
    this.domainName = props.domainName;
    this.url = `https://${props.domainName}/`;
  }
}

export interface DnsRecordsProps {
  readonly hostedZone: HostedZoneConfig;
  /** `<env>-api.<domain>` → the API's regional domain. @default - no API record */
  readonly api?: ApiCustomDomain;
  /** `<env>.<domain>` → the distribution (A and AAAA). @default - no SPA record */
  readonly spa?: { readonly domainName: string; readonly distribution: IDistribution };
  /** `<env>-auth.<domain>` → the hosted UI's CloudFront endpoint. @default - no hosted-UI record */
  readonly hostedUi?: { readonly domainName: string; readonly domain: UserPoolDomain };
}

/** Alias records in an existing public zone, one per custom name in use. */
export class DnsRecords extends Construct {
  readonly zone: IHostedZone;

  constructor(scope: Construct, id: string, props: DnsRecordsProps) {
    super(scope, id);
    this.zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', props.hostedZone);

    if (props.api !== undefined) {
      new ARecord(this, 'ApiAlias', {
        zone: this.zone,
        recordName: props.api.domainName,
        target: RecordTarget.fromAlias(new ApiGatewayDomain(props.api.domain)),
        comment: 'cognito-bff API custom domain',
      });
    }
    if (props.spa !== undefined) {
      const target = RecordTarget.fromAlias(new CloudFrontTarget(props.spa.distribution));
      const common = { zone: this.zone, recordName: props.spa.domainName, target };
      new ARecord(this, 'SpaAlias', { ...common, comment: 'cognito-bff SPA and BFF (CloudFront)' });
      new AaaaRecord(this, 'SpaAliasIpv6', { ...common, comment: 'cognito-bff SPA and BFF (CloudFront, IPv6)' });
    }
    if (props.hostedUi !== undefined) {
      new ARecord(this, 'HostedUiAlias', {
        zone: this.zone,
        recordName: props.hostedUi.domainName,
        target: RecordTarget.fromAlias(new HostedUiDomainTarget(props.hostedUi.domain)),
        comment: 'cognito-bff hosted UI custom domain',
      });
    }
  }
}

/**
 * Alias to a custom hosted-UI domain through the domain's `CloudFrontDistribution` attribute. CDK's
 * UserPoolDomainTarget reads the deprecated `cloudFrontDomainName`, a custom resource with a `Resource: *` policy.
 */
class HostedUiDomainTarget implements IAliasRecordTarget {
  constructor(private readonly domain: UserPoolDomain) {}

  bind(): AliasRecordTargetConfig {
    return { dnsName: this.domain.cloudFrontEndpoint, hostedZoneId: CloudFrontTarget.CLOUDFRONT_ZONE_ID };
  }
}
