/** What every page is given by the shell (app.tsx): the route it answers and the signed-in key. */
import type { Route } from './router.ts';
import type { WhoAmI } from './types.ts';

export interface Me extends WhoAmI {
  canWrite: boolean;
}

export interface PageProps {
  route: Route;
  me: Me;
}
