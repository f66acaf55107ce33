-- A model's task decides how its outputs are decoded and scored, postprocess holds the validated decode spec
-- (defaults filled), taskGuessed says whether the task was guessed from the outputs at upload or set by a user
ALTER TABLE "Model" ADD COLUMN "postprocess" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "Model" ADD COLUMN "taskGuessed" BOOLEAN NOT NULL DEFAULT false;
