/**
 * The checks speak of statuses, severities, scopes and account states as types of their own
 * (@rootaudit/checks imports nothing); the database stores them as enums (prisma/schema.prisma),
 * from which the API derives what it accepts. The two must name the same values: a value added to
 * one and not the other fails the type check here.
 */
import type * as checks from '@rootaudit/checks';
import type * as db from '@rootaudit/db';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** True, or this file does not type-check. */
export const checksAgreeWithDatabase: Same<checks.CheckStatus, db.CheckStatus> &
  Same<checks.Severity, db.Severity> &
  Same<checks.CheckScope, db.CheckScope> &
  Same<checks.AccountStatus, db.AccountStatus> = true;
