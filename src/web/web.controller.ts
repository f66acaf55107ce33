import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.guard';
import { APP_CSS } from './assets/page-css';
import { INDEX_HTML } from './assets/page-html';
import { APP_JS } from './assets/page-script';

/**
 * Same-origin only: scripts and styles come from /ui, the api from /v1. Inline styles are allowed because
 * the report shown in the sandboxed srcdoc iframe inherits this policy and carries its own <style>.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function send(res: Response, contentType: string, body: string): void {
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.send(body);
}

/** The web page: static text compiled into the build, served without an API key (the page asks for one). */
@ApiExcludeController()
@Public()
@Controller()
export class WebController {
  @Get()
  @Header('Content-Security-Policy', PAGE_CSP)
  index(@Res() res: Response): void {
    send(res, 'text/html; charset=utf-8', INDEX_HTML);
  }

  @Get('ui/app.js')
  script(@Res() res: Response): void {
    send(res, 'text/javascript; charset=utf-8', APP_JS);
  }

  @Get('ui/app.css')
  style(@Res() res: Response): void {
    send(res, 'text/css; charset=utf-8', APP_CSS);
  }

  /** Any other /ui path is the page itself, so a bookmarked /ui/… still opens it. */
  @Get(['ui', 'ui/*path'])
  @Header('Content-Security-Policy', PAGE_CSP)
  page(@Res() res: Response): void {
    send(res, 'text/html; charset=utf-8', INDEX_HTML);
  }
}
