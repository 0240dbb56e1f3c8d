// The name the demo SPA greets the user by. Cognito's `username` is a name the user chose or was given, except in
// pools where the username is the user's `sub` (e-mail sign-in; cognito-local always): a UUID is no name, so the
// e-mail stands in for it then.

/** @param {{ sub?: string, username?: string, email?: string }} user */
export function displayName(user) {
  if (user.username && user.username !== user.sub) return user.username;
  return user.email || user.username || user.sub || 'unknown user';
}
