import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.guard';
import { webAsset } from './web-assets';

/**
 * Same-origin only, no inline script: the page's one script is the bundle at /ui/app.js. Inline styles are
 * allowed because the report shown in the sandboxed srcdoc iframe inherits this policy and carries its own <style>.
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

export function send(res: Response, contentType: string, body: string, csp?: string): void {
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (csp) res.setHeader('Content-Security-Policy', csp);
  res.send(body);
}

export function sendPage(res: Response): void {
  send(res, 'text/html; charset=utf-8', webAsset('html'), PAGE_CSP);
}

/** The web page: built by npm run build into dist/ui, served without an API key (the page asks for one). */
@ApiExcludeController()
@Public()
@Controller()
export class WebController {
  @Get()
  index(@Res() res: Response): void {
    sendPage(res);
  }

  @Get('ui/app.js')
  script(@Res() res: Response): void {
    send(res, 'text/javascript; charset=utf-8', webAsset('js'));
  }

  @Get('ui/app.js.map')
  sourceMap(@Res() res: Response): void {
    send(res, 'application/json; charset=utf-8', webAsset('map'));
  }

  @Get('ui/app.css')
  style(@Res() res: Response): void {
    send(res, 'text/css; charset=utf-8', webAsset('css'));
  }

  /** Any other /ui path is the page itself, so a bookmarked /ui/… still opens it. */
  @Get(['ui', 'ui/*path'])
  page(@Res() res: Response): void {
    sendPage(res);
  }
}
