@echo off
rem openport: runs lib\openport.jar from this distribution, from any directory; installs nothing.
rem JAVA or JAVA_HOME pick the Java (17 or newer); OPENPORT_JAVA_OPTS adds JVM options.
setlocal
set "OPENPORT_HOME=%~dp0.."
if defined JAVA (
  set "OPENPORT_JAVA=%JAVA%"
) else if defined JAVA_HOME (
  set "OPENPORT_JAVA=%JAVA_HOME%\bin\java.exe"
) else (
  set "OPENPORT_JAVA=java"
)
"%OPENPORT_JAVA%" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto %OPENPORT_JAVA_OPTS% -jar "%OPENPORT_HOME%\lib\openport.jar" %*
exit /b %ERRORLEVEL%
