import { postForm as post } from './cms-http';
import { login } from './server-process';

/**
 * Creates a CMS user with `roles` through the users page, as an admin does, signs them in and sets their own
 * password (the one-time one must be changed first). Returns their session cookie. The content workflow needs a
 * second person: whoever writes a version cannot approve it.
 */
export async function signInNewUser(
  url: string,
  adminSession: string,
  username: string,
  roles: string[],
): Promise<string> {
  const temporary = `temporary ${username} password`;
  const created = await post(url, adminSession, '/admin/users?/create', {
    username,
    displayName: username,
    roles,
    password: temporary,
  });
  if (created.status !== 200) throw new Error(`creating ${username} failed: ${created.status}`);
  await created.arrayBuffer();
  const session = await login(url, username, temporary);
  const chosen = `${username} chosen password`;
  const changed = await post(url, session, '/account/password', {
    currentPassword: temporary,
    newPassword: chosen,
    confirmPassword: chosen,
  });
  await changed.arrayBuffer();
  if (changed.status !== 303) throw new Error(`${username} could not set a password: ${changed.status}`);
  // the change may rotate the session: sign in afresh with the chosen password
  return login(url, username, chosen);
}
