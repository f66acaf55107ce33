import { childMain } from '../child-process';
import { measureInChild } from '../../benchmark/measure-session';
childMain(measureInChild);
