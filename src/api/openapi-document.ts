import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ApiModule } from './api.module';

/** The OpenAPI document of the REST surface (served at /docs/openapi.json; the CLI's client types are generated from it). */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tierwise')
      .setDescription(
        'Where should this ONNX model run, and in what form? Upload a model, its variants and a dataset; run a study; read the recommendation.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
}

/** The same document from an app that is built but never initialised or listening (no job is enqueued, no port opened). */
export async function previewOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(ApiModule, { logger: false, abortOnError: false });
  try {
    return openApiDocument(app);
  } finally {
    await app.close();
  }
}
