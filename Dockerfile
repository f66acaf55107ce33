# One image for the api and every worker; docker-compose.yml picks the role with the command.
FROM node:22-bookworm-slim
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip NODE_ENV=production
COPY package.json package-lock.json .npmrc prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY src/config/database-url.ts ./src/config/database-url.ts
RUN npm ci --no-audit --no-fund
COPY . .
# The release build: src without its specs and testing/ helpers (tests and bench run from a checkout, not the image).
RUN npm run build:release
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["serve"]
