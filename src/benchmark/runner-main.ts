import { childMain } from './child-process';
import { measureInChild } from './measure-session';
childMain(measureInChild);
