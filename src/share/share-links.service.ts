import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { TierwiseError } from '../common/errors';
import { PrismaService } from '../prisma/prisma.service';

export const DEFAULT_SHARE_HOURS = 72;
export const MAX_SHARE_HOURS = 720;

export interface ShareLinkView {
  id: string;
  studyId: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

/** 32 random bytes, base64url: unguessable; only its SHA-256 is stored, so the database cannot replay a link. */
function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

function toView(row: { id: string; studyId: string; createdAt: Date; expiresAt: Date; revokedAt: Date | null }): ShareLinkView {
  return {
    id: row.id,
    studyId: row.studyId,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

@Injectable()
export class ShareLinksService {
  constructor(private readonly prisma: PrismaService) {}

  async create(
    teamId: string,
    studyId: string,
    expiresInHours = DEFAULT_SHARE_HOURS,
  ): Promise<ShareLinkView & { token: string; url: string }> {
    const study = await this.prisma.study.findFirst({ where: { id: studyId, teamId }, select: { status: true } });
    if (!study) throw new TierwiseError('STUDY_NOT_FOUND', `no study ${studyId}`);
    if (study.status !== 'completed')
      throw new TierwiseError('STUDY_NOT_READY', `study ${studyId} is ${study.status}; only a completed study's report can be shared`);
    const token = newToken();
    const row = await this.prisma.shareLink.create({
      data: { teamId, studyId, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + expiresInHours * 3600_000) },
    });
    return { ...toView(row), token, url: `/share/${token}` };
  }

  async list(teamId: string, studyId: string): Promise<ShareLinkView[]> {
    const rows = await this.prisma.shareLink.findMany({ where: { teamId, studyId }, orderBy: { createdAt: 'desc' } });
    return rows.map(toView);
  }

  /** Revokes one of this team's links; revoking twice is fine, another team's token is not found. */
  async revoke(teamId: string, token: string): Promise<ShareLinkView> {
    const row = TOKEN_SHAPE.test(token) ? await this.prisma.shareLink.findUnique({ where: { tokenHash: hashToken(token) } }) : null;
    if (!row || row.teamId !== teamId) throw new TierwiseError('SHARE_NOT_FOUND', 'no share link with that token');
    if (row.revokedAt) return toView(row);
    return toView(await this.prisma.shareLink.update({ where: { id: row.id }, data: { revokedAt: new Date() } }));
  }

  /** Revokes one of this study's links by its id, as the dashboard lists them (the token is shown only at creation). */
  async revokeById(teamId: string, studyId: string, id: string): Promise<ShareLinkView> {
    const row = await this.prisma.shareLink.findFirst({ where: { id, teamId, studyId } });
    if (!row) throw new TierwiseError('SHARE_NOT_FOUND', `no share link ${id} on study ${studyId}`);
    if (row.revokedAt) return toView(row);
    return toView(await this.prisma.shareLink.update({ where: { id: row.id }, data: { revokedAt: new Date() } }));
  }

  /** The link behind a public token, refused when unknown, revoked or expired. */
  async resolve(token: string): Promise<{ teamId: string; studyId: string; expiresAt: Date }> {
    const row = TOKEN_SHAPE.test(token) ? await this.prisma.shareLink.findUnique({ where: { tokenHash: hashToken(token) } }) : null;
    if (!row) throw new TierwiseError('SHARE_NOT_FOUND', 'this share link does not exist');
    if (row.revokedAt) throw new TierwiseError('SHARE_REVOKED', 'this share link was revoked; ask its sender for a new one');
    if (row.expiresAt.getTime() <= Date.now())
      throw new TierwiseError('SHARE_EXPIRED', `this share link expired at ${row.expiresAt.toISOString()}; ask its sender for a new one`);
    return { teamId: row.teamId, studyId: row.studyId, expiresAt: row.expiresAt };
  }
}
