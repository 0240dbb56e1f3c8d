/**
 * Idempotent set-up of the local user pool: pool, app client (with a secret), demo user and its group, through the
 * emulator's admin API (the real Cognito JSON protocol, so the real SDK). Run at every start of the local stack:
 * it finds what an earlier run created, so ids, and the sessions sealed against them, survive restarts.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { localClientFields } from './app-client';
import { LocalStackError } from './errors';

export const DEFAULT_DEMO_EMAIL = 'demo@example.com';
export const DEFAULT_POOL_NAME = 'cognito-bff-local';
export const LOCAL_CLIENT_NAME = 'cognito-bff';
/** A group for the demo user, so sessions show non-empty `groups`. */
export const DEMO_GROUP = 'testers';

export interface BootstrapOptions {
  /** The emulator's base URL, e.g. `http://127.0.0.1:9229`. */
  endpoint: string;
  /** The BFF's public base URL; the client's callback and logout URLs are derived from it at every run. */
  publicBaseUrl: string;
  demoEmail?: string;
  /** Set as the demo user's permanent password at every run. */
  demoPassword: string;
  poolName?: string;
}

export interface LocalPool {
  userPoolId: string;
  clientId: string;
  clientSecret: string;
  /** What to type into the sign-in form: the e-mail (the pool signs in by e-mail). */
  demoUsername: string;
  demoPassword: string;
}

export async function bootstrapLocalPool(options: BootstrapOptions): Promise<LocalPool> {
  if (options.demoPassword === '') throw new LocalStackError('the demo password must not be empty');
  const demoEmail = options.demoEmail ?? DEFAULT_DEMO_EMAIL;
  const cognito = new CognitoIdentityProviderClient({
    endpoint: options.endpoint,
    region: 'local',
    // cognito-local checks no signature, but the SDK insists on signing.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const userPoolId = await step('find or create the user pool', () => ensureUserPool(cognito, options.poolName ?? DEFAULT_POOL_NAME));
    const client = await step('find, create or update the app client', () => ensureAppClient(cognito, userPoolId, options.publicBaseUrl));
    const username = await step('set up the demo user', () => ensureDemoUser(cognito, userPoolId, demoEmail, options.demoPassword));
    await step(`put the demo user in the group ${DEMO_GROUP}`, () => ensureGroupMember(cognito, userPoolId, DEMO_GROUP, username));
    return { userPoolId, ...client, demoUsername: demoEmail, demoPassword: options.demoPassword };
  } finally {
    cognito.destroy();
  }
}

async function ensureUserPool(cognito: CognitoIdentityProviderClient, poolName: string): Promise<string> {
  let nextToken: string | undefined;
  do {
    const page = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken: nextToken }));
    const existing = page.UserPools?.find((pool) => pool.Name === poolName);
    if (existing?.Id) return existing.Id;
    nextToken = page.NextToken;
  } while (nextToken);

  const created = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: poolName,
      // Users sign in with their e-mail; their username is then a generated id (the `sub`), as on real Cognito.
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    }),
  );
  return required(created.UserPool?.Id, 'CreateUserPool returned no pool id');
}

async function ensureAppClient(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  publicBaseUrl: string,
): Promise<{ clientId: string; clientSecret: string }> {
  const fields = localClientFields(publicBaseUrl);
  let clientId = await findClientId(cognito, userPoolId, LOCAL_CLIENT_NAME);
  if (clientId) {
    // Every run: PUBLIC_BASE_URL (or PORT) may have changed since the client was created. The update sends every
    // field because real Cognito resets the fields an update leaves out.
    await cognito.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientId: clientId,
        ClientName: LOCAL_CLIENT_NAME,
        ...fields,
      }),
    );
  } else {
    const created = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: LOCAL_CLIENT_NAME,
        GenerateSecret: true,
        ...fields,
      }),
    );
    clientId = required(created.UserPoolClient?.ClientId, 'CreateUserPoolClient returned no client id');
  }
  // List results carry no secret; Describe does.
  const described = await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }));
  const clientSecret = required(described.UserPoolClient?.ClientSecret, `app client ${clientId} has no secret`);
  return { clientId, clientSecret };
}

async function findClientId(cognito: CognitoIdentityProviderClient, userPoolId: string, clientName: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await cognito.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60, NextToken: nextToken }));
    const existing = page.UserPoolClients?.find((client) => client.ClientName === clientName);
    if (existing?.ClientId) return existing.ClientId;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

/** Creates the user when missing, then (re)sets its password and verified e-mail. Returns its username (the `sub`). */
async function ensureDemoUser(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  email: string,
  password: string,
): Promise<string> {
  try {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        // The pool signs in by e-mail, so the e-mail is accepted wherever a username is (an alias of the real one).
        Username: email,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
        MessageAction: 'SUPPRESS',
      }),
    );
  } catch (error) {
    if (!isServiceError(error, 'UsernameExistsException')) throw error;
  }
  // Every run, so a changed DEMO_PASSWORD (or a newly generated one) takes effect. Permanent: no forced change.
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: email, Password: password, Permanent: true }));
  const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
  const verified = user.UserAttributes?.find((attribute) => attribute.Name === 'email_verified')?.Value;
  if (verified !== 'true') {
    await cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: userPoolId,
        Username: email,
        UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
      }),
    );
  }
  if (user.UserStatus !== 'CONFIRMED') {
    throw new LocalStackError(`demo user ${email} is ${user.UserStatus ?? 'in an unknown state'}, not CONFIRMED`);
  }
  return required(user.Username, `AdminGetUser returned no username for ${email}`);
}

async function ensureGroupMember(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  groupName: string,
  username: string,
): Promise<void> {
  // Listed rather than fetched: cognito-local's GetGroup fails with a 500 (not ResourceNotFoundException) while the
  // pool has no group at all. And created only when missing: its CreateGroup overwrites a group, dropping its members.
  if (!(await groupExists(cognito, userPoolId, groupName))) {
    await cognito.send(
      new CreateGroupCommand({
        UserPoolId: userPoolId,
        GroupName: groupName,
        Description: 'Demo users of the local stack',
      }),
    );
  }
  // Adding a member twice is a no-op, on real Cognito and the emulator alike.
  await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, GroupName: groupName, Username: username }));
}

async function groupExists(cognito: CognitoIdentityProviderClient, userPoolId: string, groupName: string): Promise<boolean> {
  let nextToken: string | undefined;
  do {
    const page = await cognito.send(new ListGroupsCommand({ UserPoolId: userPoolId, Limit: 60, NextToken: nextToken }));
    if (page.Groups?.some((group) => group.GroupName === groupName)) return true;
    nextToken = page.NextToken;
  } while (nextToken);
  return false;
}

/** Runs one bootstrap step; a failure says which step, and keeps the SDK's error as the cause. */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof LocalStackError) throw error;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new LocalStackError(`local bootstrap could not ${what}: ${reason}`, { cause: error });
  }
}

function isServiceError(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new LocalStackError(message);
  return value;
}
