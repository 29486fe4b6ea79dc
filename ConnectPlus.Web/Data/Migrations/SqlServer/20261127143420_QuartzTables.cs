using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConnectPlus.Web.Data.Migrations.SqlServer
{
    /// <summary>
    /// The tables of Quartz's clustered ADO.NET job store (docs/scheduling.md), for the Quartz version we ship.
    /// Written by hand around Quartz's own schema script; the EF model does not change (the snapshot is untouched).
    /// </summary>
    /// <remarks>
    /// The SQL below is Quartz.NET 4.7.3's schema script for SQL Server, as embedded in Quartz.dll
    /// (<c>Quartz.Impl.AdoJobStore.Schema.create_sqlServer.sql</c>: the same schema as <c>database/tables/tables_*.sql</c> of that
    /// release, with statements that create only what is missing), with the table prefix <c>QRTZ_</c> put in.
    /// After a Quartz upgrade that changes the schema, add a migration with the script from <c>database/migrations/</c>.
    ///
    /// Quartz.NET — Copyright Marko Lahma, Terracotta, Inc. and the Quartz.NET contributors.
    /// Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file except in compliance
    /// with the License. You may obtain a copy of the License at http://www.apache.org/licenses/LICENSE-2.0
    /// Unless required by applicable law or agreed to in writing, software distributed under the License is
    /// distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
    /// </remarks>
    public partial class QuartzTables : Migration
    {
        /// <summary>Quartz's script: statements separated by lines reading <c>--;;</c>.</summary>
        internal const string Schema = """
        --
        -- Quartz.NET schema -- SQL Server
        --
        -- GENERATED FILE. Describe the schema in build/Build.DatabaseSchema.cs and run
        -- 'dotnet fallout GenerateSchema'; edits made here are overwritten.
        --
        -- This is what AdoJobStore runs for itself when SchemaProvisioning.CreateIfMissing is
        -- configured. It is not the script to run by hand -- use
        -- database/tables/tables_sqlServer.sql for that, which is written for a person with a
        -- database client and drops an existing schema before it recreates one.
        --
        -- Every statement creates only what is missing, and nothing here ever drops anything.
        -- So it is safe to run against a schema that already exists, and safe to run twice.
        --
        -- 'QRTZ_' is the configured table prefix and 'QRTZ_' is the same prefix with any schema
        -- qualifier removed, for the identifiers that cannot carry one -- index, constraint and
        -- catalog-lookup names. They are substituted at runtime, so a schema provisioned under a
        -- prefix of its own collides with nothing.
        --
        -- Statements are separated by a line reading exactly '--;;'. The job store splits on
        -- it and sends each piece to the provider as one command, which is why no dialect's batch
        -- separator appears: no GO, no lone '/', no SET TERM.
        --
        -- Tables are named without a [dbo] qualifier, exactly as the rest of Quartz's SQL names
        -- them, so they are created in the connection's own default schema and a table prefix
        -- that carries a schema of its own is honoured.
        --
        -- The memory-optimized (tables_sqlServerMOT.sql) and pre-2016 (tables_sqlServer_Below2016.sql)
        -- variants have no counterpart here: both are deliberate departures from the standard
        -- schema, chosen by a human for a particular deployment, and neither is something a
        -- scheduler should decide to create on its own. Run those by hand and leave
        -- SchemaProvisioning at Validate.
        --
        --;;
        -- QRTZ_JOB_DETAILS
        IF OBJECT_ID(N'QRTZ_JOB_DETAILS', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_JOB_DETAILS (
            SCHED_NAME nvarchar(120) NOT NULL,
            JOB_NAME nvarchar(150) NOT NULL,
            JOB_GROUP nvarchar(150) NOT NULL,
            DESCRIPTION nvarchar(250) NULL,
            JOB_CLASS_NAME nvarchar(250) NOT NULL,
            IS_DURABLE bit NOT NULL,
            IS_NONCONCURRENT bit NOT NULL,
            IS_UPDATE_DATA bit NOT NULL,
            REQUESTS_RECOVERY bit NOT NULL,
            JOB_DATA varbinary(max) NULL,
            CONSTRAINT PK_QRTZ_JOB_DETAILS PRIMARY KEY (SCHED_NAME,JOB_NAME,JOB_GROUP)
          );
        END
        --;;
        -- QRTZ_TRIGGERS
        IF OBJECT_ID(N'QRTZ_TRIGGERS', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_TRIGGERS (
            SCHED_NAME nvarchar(120) NOT NULL,
            TRIGGER_NAME nvarchar(150) NOT NULL,
            TRIGGER_GROUP nvarchar(150) NOT NULL,
            JOB_NAME nvarchar(150) NOT NULL,
            JOB_GROUP nvarchar(150) NOT NULL,
            DESCRIPTION nvarchar(250) NULL,
            NEXT_FIRE_TIME bigint NULL,
            PREV_FIRE_TIME bigint NULL,
            PRIORITY int NULL,
            TRIGGER_STATE nvarchar(16) NOT NULL,
            TRIGGER_TYPE nvarchar(8) NOT NULL,
            START_TIME bigint NOT NULL,
            END_TIME bigint NULL,
            CALENDAR_NAME nvarchar(200) NULL,
            MISFIRE_INSTR int NULL,
            MISFIRE_ORIG_FIRE_TIME bigint NULL,
            EXECUTION_GROUP nvarchar(200) NULL,
            PREFERRED_NODE nvarchar(200) NULL,
            PREFERRED_NODE_AUTO bit NOT NULL DEFAULT 0,
            RETRY_POLICY nvarchar(250) NULL,
            RETRY_ATTEMPT int NULL,
            CONTINUES_TRIGGER_NAME nvarchar(150) NULL,
            CONTINUES_TRIGGER_GROUP nvarchar(150) NULL,
            CONTINUATION_CONDITION int NULL,
            OVERLAP_POLICY int NULL,
            PAUSE_REASON nvarchar(250) NULL,
            PAUSED_BY nvarchar(200) NULL,
            PAUSED_AT bigint NULL,
            MISFIRE_THRESHOLD bigint NULL,
            FIXED_DELAY bit NULL,
            JOB_DATA varbinary(max) NULL,
            CONSTRAINT PK_QRTZ_TRIGGERS PRIMARY KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP),
            CONSTRAINT FK_QRTZ_TRIGGERS_QRTZ_JOB_DETAILS FOREIGN KEY (SCHED_NAME,JOB_NAME,JOB_GROUP) REFERENCES QRTZ_JOB_DETAILS (SCHED_NAME,JOB_NAME,JOB_GROUP)
          );
        END
        --;;
        -- QRTZ_SIMPLE_TRIGGERS
        IF OBJECT_ID(N'QRTZ_SIMPLE_TRIGGERS', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_SIMPLE_TRIGGERS (
            SCHED_NAME nvarchar(120) NOT NULL,
            TRIGGER_NAME nvarchar(150) NOT NULL,
            TRIGGER_GROUP nvarchar(150) NOT NULL,
            REPEAT_COUNT int NOT NULL,
            REPEAT_INTERVAL bigint NOT NULL,
            TIMES_TRIGGERED int NOT NULL,
            CONSTRAINT PK_QRTZ_SIMPLE_TRIGGERS PRIMARY KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP),
            CONSTRAINT FK_QRTZ_SIMPLE_TRIGGERS_QRTZ_TRIGGERS FOREIGN KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP) REFERENCES QRTZ_TRIGGERS (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP) ON DELETE CASCADE
          );
        END
        --;;
        -- QRTZ_CRON_TRIGGERS
        IF OBJECT_ID(N'QRTZ_CRON_TRIGGERS', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_CRON_TRIGGERS (
            SCHED_NAME nvarchar(120) NOT NULL,
            TRIGGER_NAME nvarchar(150) NOT NULL,
            TRIGGER_GROUP nvarchar(150) NOT NULL,
            CRON_EXPRESSION nvarchar(120) NOT NULL,
            TIME_ZONE_ID nvarchar(80),
            CONSTRAINT PK_QRTZ_CRON_TRIGGERS PRIMARY KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP),
            CONSTRAINT FK_QRTZ_CRON_TRIGGERS_QRTZ_TRIGGERS FOREIGN KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP) REFERENCES QRTZ_TRIGGERS (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP) ON DELETE CASCADE
          );
        END
        --;;
        -- QRTZ_SIMPROP_TRIGGERS
        IF OBJECT_ID(N'QRTZ_SIMPROP_TRIGGERS', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_SIMPROP_TRIGGERS (
            SCHED_NAME nvarchar(120) NOT NULL,
            TRIGGER_NAME nvarchar(150) NOT NULL,
            TRIGGER_GROUP nvarchar(150) NOT NULL,
            STR_PROP_1 nvarchar(512) NULL,
            STR_PROP_2 nvarchar(512) NULL,
            STR_PROP_3 nvarchar(512) NULL,
            INT_PROP_1 int NULL,
            INT_PROP_2 int NULL,
            LONG_PROP_1 bigint NULL,
            LONG_PROP_2 bigint NULL,
            DEC_PROP_1 numeric(13,4) NULL,
            DEC_PROP_2 numeric(13,4) NULL,
            BOOL_PROP_1 bit NULL,
            BOOL_PROP_2 bit NULL,
            TIME_ZONE_ID nvarchar(80) NULL,
            CONSTRAINT PK_QRTZ_SIMPROP_TRIGGERS PRIMARY KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP),
            CONSTRAINT FK_QRTZ_SIMPROP_TRIGGERS_QRTZ_TRIGGERS FOREIGN KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP) REFERENCES QRTZ_TRIGGERS (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP) ON DELETE CASCADE
          );
        END
        --;;
        -- QRTZ_BLOB_TRIGGERS
        IF OBJECT_ID(N'QRTZ_BLOB_TRIGGERS', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_BLOB_TRIGGERS (
            SCHED_NAME nvarchar(120) NOT NULL,
            TRIGGER_NAME nvarchar(150) NOT NULL,
            TRIGGER_GROUP nvarchar(150) NOT NULL,
            BLOB_DATA varbinary(max) NULL,
            CONSTRAINT PK_QRTZ_BLOB_TRIGGERS PRIMARY KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP)
          );
        END
        --;;
        -- QRTZ_CALENDARS
        IF OBJECT_ID(N'QRTZ_CALENDARS', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_CALENDARS (
            SCHED_NAME nvarchar(120) NOT NULL,
            CALENDAR_NAME nvarchar(200) NOT NULL,
            CALENDAR varbinary(max) NOT NULL,
            CONSTRAINT PK_QRTZ_CALENDARS PRIMARY KEY (SCHED_NAME,CALENDAR_NAME)
          );
        END
        --;;
        -- QRTZ_PAUSED_TRIGGER_GRPS
        IF OBJECT_ID(N'QRTZ_PAUSED_TRIGGER_GRPS', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_PAUSED_TRIGGER_GRPS (
            SCHED_NAME nvarchar(120) NOT NULL,
            TRIGGER_GROUP nvarchar(150) NOT NULL,
            PAUSE_REASON nvarchar(250) NULL,
            PAUSED_BY nvarchar(200) NULL,
            PAUSED_AT bigint NULL,
            CONSTRAINT PK_QRTZ_PAUSED_TRIGGER_GRPS PRIMARY KEY (SCHED_NAME,TRIGGER_GROUP)
          );
        END
        --;;
        -- QRTZ_PAUSED_JOB_GRPS
        IF OBJECT_ID(N'QRTZ_PAUSED_JOB_GRPS', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_PAUSED_JOB_GRPS (
            SCHED_NAME nvarchar(120) NOT NULL,
            JOB_GROUP nvarchar(150) NOT NULL,
            PAUSE_REASON nvarchar(250) NULL,
            PAUSED_BY nvarchar(200) NULL,
            PAUSED_AT bigint NULL,
            CONSTRAINT PK_QRTZ_PAUSED_JOB_GRPS PRIMARY KEY (SCHED_NAME,JOB_GROUP)
          );
        END
        --;;
        -- QRTZ_FIRED_TRIGGERS
        IF OBJECT_ID(N'QRTZ_FIRED_TRIGGERS', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_FIRED_TRIGGERS (
            SCHED_NAME nvarchar(120) NOT NULL,
            ENTRY_ID nvarchar(140) NOT NULL,
            TRIGGER_NAME nvarchar(150) NOT NULL,
            TRIGGER_GROUP nvarchar(150) NOT NULL,
            INSTANCE_NAME nvarchar(200) NOT NULL,
            FIRED_TIME bigint NOT NULL,
            SCHED_TIME bigint NOT NULL,
            PRIORITY int NOT NULL,
            STATE nvarchar(16) NOT NULL,
            JOB_NAME nvarchar(150) NULL,
            JOB_GROUP nvarchar(150) NULL,
            IS_NONCONCURRENT bit NULL,
            REQUESTS_RECOVERY bit NULL,
            EXECUTION_GROUP nvarchar(200) NULL,
            PROGRESS int NULL,
            PROGRESS_MESSAGE nvarchar(250) NULL,
            INTERRUPT_REQUESTED_TIME bigint NULL,
            CONSTRAINT PK_QRTZ_FIRED_TRIGGERS PRIMARY KEY (SCHED_NAME,ENTRY_ID)
          );
        END
        --;;
        -- QRTZ_SCHEDULER_STATE
        IF OBJECT_ID(N'QRTZ_SCHEDULER_STATE', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_SCHEDULER_STATE (
            SCHED_NAME nvarchar(120) NOT NULL,
            INSTANCE_NAME nvarchar(200) NOT NULL,
            LAST_CHECKIN_TIME bigint NOT NULL,
            CHECKIN_INTERVAL bigint NOT NULL,
            QUARTZ_VERSION nvarchar(20) NULL,
            CONSTRAINT PK_QRTZ_SCHEDULER_STATE PRIMARY KEY (SCHED_NAME,INSTANCE_NAME)
          );
        END
        --;;
        -- QRTZ_LOCKS
        IF OBJECT_ID(N'QRTZ_LOCKS', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_LOCKS (
            SCHED_NAME nvarchar(120) NOT NULL,
            LOCK_NAME nvarchar(40) NOT NULL,
            CONSTRAINT PK_QRTZ_LOCKS PRIMARY KEY (SCHED_NAME,LOCK_NAME)
          );
        END
        --;;
        -- QRTZ_EXECUTION_HISTORY
        IF OBJECT_ID(N'QRTZ_EXECUTION_HISTORY', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_EXECUTION_HISTORY (
            SCHED_NAME nvarchar(120) NOT NULL,
            ENTRY_ID nvarchar(140) NOT NULL,
            INSTANCE_NAME nvarchar(200) NOT NULL,
            JOB_NAME nvarchar(150) NOT NULL,
            JOB_GROUP nvarchar(150) NOT NULL,
            TRIGGER_NAME nvarchar(150) NOT NULL,
            TRIGGER_GROUP nvarchar(150) NOT NULL,
            FIRED_TIME bigint NOT NULL,
            RUN_TIME bigint NOT NULL,
            SUCCEEDED bit NOT NULL,
            ERROR_MESSAGE nvarchar(1000) NULL,
            RETRY_ATTEMPT int NOT NULL DEFAULT 0,
            RETRY_SCHEDULED bit NOT NULL DEFAULT 0,
            EXECUTION_LOG nvarchar(max) NULL,
            RESULT int NULL,
            SUMMARY nvarchar(1000) NULL,
            METRICS nvarchar(max) NULL,
            MANUAL bit NULL,
            FIRE_INSTANCE_ID nvarchar(140) NULL,
            JOB_INPUT nvarchar(max) NULL,
            JOB_INPUT_TOO_LARGE bit NULL,
            CONSTRAINT PK_QRTZ_EXECUTION_HISTORY PRIMARY KEY (SCHED_NAME,ENTRY_ID)
          );
        END
        --;;
        -- QRTZ_MISFIRE_HISTORY
        IF OBJECT_ID(N'QRTZ_MISFIRE_HISTORY', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_MISFIRE_HISTORY (
            SCHED_NAME nvarchar(120) NOT NULL,
            ENTRY_ID nvarchar(140) NOT NULL,
            INSTANCE_NAME nvarchar(200) NOT NULL,
            TRIGGER_NAME nvarchar(150) NOT NULL,
            TRIGGER_GROUP nvarchar(150) NOT NULL,
            JOB_NAME nvarchar(150) NULL,
            JOB_GROUP nvarchar(150) NULL,
            MISFIRE_TIME bigint NOT NULL,
            SCHED_TIME bigint NULL,
            REASON int NULL,
            CONSTRAINT PK_QRTZ_MISFIRE_HISTORY PRIMARY KEY (SCHED_NAME,ENTRY_ID)
          );
        END
        --;;
        -- QRTZ_JOB_STATUS
        IF OBJECT_ID(N'QRTZ_JOB_STATUS', N'U') IS NULL
        BEGIN
          CREATE TABLE QRTZ_JOB_STATUS (
            SCHED_NAME nvarchar(120) NOT NULL,
            JOB_GROUP nvarchar(150) NOT NULL,
            JOB_NAME nvarchar(150) NOT NULL,
            FIRST_FIRED_TIME bigint NOT NULL,
            LAST_FIRED_TIME bigint NOT NULL,
            LAST_RESULT int NOT NULL,
            LAST_RUN_TIME bigint NOT NULL,
            LAST_INSTANCE_NAME nvarchar(200) NOT NULL,
            LAST_ENTRY_ID nvarchar(140) NULL,
            LAST_SUMMARY nvarchar(1000) NULL,
            LAST_SUCCESS_TIME bigint NULL,
            LAST_FAILURE_TIME bigint NULL,
            LAST_FAILURE_MESSAGE nvarchar(1000) NULL,
            CONSECUTIVE_FAILURES int NOT NULL DEFAULT 0,
            RUN_COUNT bigint NOT NULL DEFAULT 0,
            FAILURE_COUNT bigint NOT NULL DEFAULT 0,
            CONSTRAINT PK_QRTZ_JOB_STATUS PRIMARY KEY (SCHED_NAME,JOB_GROUP,JOB_NAME)
          );
        END
        --;;
        -- IDX_QRTZ_J_G_N
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_J_G_N' AND object_id = OBJECT_ID('QRTZ_JOB_DETAILS'))
        BEGIN
          CREATE INDEX IDX_QRTZ_J_G_N ON QRTZ_JOB_DETAILS(SCHED_NAME, JOB_GROUP, JOB_NAME);
        END
        --;;
        -- IDX_QRTZ_T_J
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_T_J' AND object_id = OBJECT_ID('QRTZ_TRIGGERS'))
        BEGIN
          CREATE INDEX IDX_QRTZ_T_J ON QRTZ_TRIGGERS(SCHED_NAME, JOB_NAME, JOB_GROUP);
        END
        --;;
        -- IDX_QRTZ_T_G_N
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_T_G_N' AND object_id = OBJECT_ID('QRTZ_TRIGGERS'))
        BEGIN
          CREATE INDEX IDX_QRTZ_T_G_N ON QRTZ_TRIGGERS(SCHED_NAME, TRIGGER_GROUP, TRIGGER_NAME);
        END
        --;;
        -- IDX_QRTZ_T_C
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_T_C' AND object_id = OBJECT_ID('QRTZ_TRIGGERS'))
        BEGIN
          CREATE INDEX IDX_QRTZ_T_C ON QRTZ_TRIGGERS(SCHED_NAME, CALENDAR_NAME);
        END
        --;;
        -- IDX_QRTZ_T_NFT_ST
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_T_NFT_ST' AND object_id = OBJECT_ID('QRTZ_TRIGGERS'))
        BEGIN
          CREATE INDEX IDX_QRTZ_T_NFT_ST ON QRTZ_TRIGGERS(SCHED_NAME, TRIGGER_STATE, NEXT_FIRE_TIME ASC, PRIORITY DESC, MISFIRE_INSTR);
        END
        --;;
        -- IDX_QRTZ_FT_INST_JOB_REQ_RCVRY
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_FT_INST_JOB_REQ_RCVRY' AND object_id = OBJECT_ID('QRTZ_FIRED_TRIGGERS'))
        BEGIN
          CREATE INDEX IDX_QRTZ_FT_INST_JOB_REQ_RCVRY ON QRTZ_FIRED_TRIGGERS(SCHED_NAME, INSTANCE_NAME, REQUESTS_RECOVERY);
        END
        --;;
        -- IDX_QRTZ_FT_J_G
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_FT_J_G' AND object_id = OBJECT_ID('QRTZ_FIRED_TRIGGERS'))
        BEGIN
          CREATE INDEX IDX_QRTZ_FT_J_G ON QRTZ_FIRED_TRIGGERS(SCHED_NAME, JOB_NAME, JOB_GROUP);
        END
        --;;
        -- IDX_QRTZ_FT_T_G
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_FT_T_G' AND object_id = OBJECT_ID('QRTZ_FIRED_TRIGGERS'))
        BEGIN
          CREATE INDEX IDX_QRTZ_FT_T_G ON QRTZ_FIRED_TRIGGERS(SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP);
        END
        --;;
        -- IDX_QRTZ_EH_FIRED_TIME
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_EH_FIRED_TIME' AND object_id = OBJECT_ID('QRTZ_EXECUTION_HISTORY'))
        BEGIN
          CREATE INDEX IDX_QRTZ_EH_FIRED_TIME ON QRTZ_EXECUTION_HISTORY(SCHED_NAME, FIRED_TIME);
        END
        --;;
        -- IDX_QRTZ_EH_INST
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_EH_INST' AND object_id = OBJECT_ID('QRTZ_EXECUTION_HISTORY'))
        BEGIN
          CREATE INDEX IDX_QRTZ_EH_INST ON QRTZ_EXECUTION_HISTORY(SCHED_NAME, INSTANCE_NAME);
        END
        --;;
        -- IDX_QRTZ_MH_MISFIRE_TIME
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_MH_MISFIRE_TIME' AND object_id = OBJECT_ID('QRTZ_MISFIRE_HISTORY'))
        BEGIN
          CREATE INDEX IDX_QRTZ_MH_MISFIRE_TIME ON QRTZ_MISFIRE_HISTORY(SCHED_NAME, MISFIRE_TIME);
        END
        --;;
        -- IDX_QRTZ_MH_INST
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_MH_INST' AND object_id = OBJECT_ID('QRTZ_MISFIRE_HISTORY'))
        BEGIN
          CREATE INDEX IDX_QRTZ_MH_INST ON QRTZ_MISFIRE_HISTORY(SCHED_NAME, INSTANCE_NAME);
        END
        --;;
        -- IDX_QRTZ_EH_JOB_TIME
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_EH_JOB_TIME' AND object_id = OBJECT_ID('QRTZ_EXECUTION_HISTORY'))
        BEGIN
          CREATE INDEX IDX_QRTZ_EH_JOB_TIME ON QRTZ_EXECUTION_HISTORY(SCHED_NAME, JOB_GROUP, JOB_NAME, FIRED_TIME);
        END
        --;;
        -- IDX_QRTZ_EH_FIRE_INST
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_EH_FIRE_INST' AND object_id = OBJECT_ID('QRTZ_EXECUTION_HISTORY'))
        BEGIN
          CREATE INDEX IDX_QRTZ_EH_FIRE_INST ON QRTZ_EXECUTION_HISTORY(SCHED_NAME, FIRE_INSTANCE_ID);
        END
        --;;
        -- IDX_QRTZ_EH_TRIG_TIME
        IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_EH_TRIG_TIME' AND object_id = OBJECT_ID('QRTZ_EXECUTION_HISTORY'))
        BEGIN
          CREATE INDEX IDX_QRTZ_EH_TRIG_TIME ON QRTZ_EXECUTION_HISTORY(SCHED_NAME, TRIGGER_GROUP, TRIGGER_NAME, FIRED_TIME);
        END
        """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Quartz's job store sends each piece between separator lines as one command; so do we.
            foreach (var statement in System.Text.RegularExpressions.Regex.Split(Schema, @"^[ \t]*--;;[ \t]*\r?$", System.Text.RegularExpressions.RegexOptions.Multiline))
            {
                if (statement.Split('\n').Any(line => line.Trim().Length > 0 && !line.TrimStart().StartsWith("--", System.StringComparison.Ordinal)))
                    migrationBuilder.Sql(statement);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_FIRED_TRIGGERS;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_PAUSED_TRIGGER_GRPS;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_PAUSED_JOB_GRPS;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_SCHEDULER_STATE;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_LOCKS;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_SIMPLE_TRIGGERS;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_CRON_TRIGGERS;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_SIMPROP_TRIGGERS;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_BLOB_TRIGGERS;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_TRIGGERS;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_JOB_DETAILS;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_CALENDARS;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_EXECUTION_HISTORY;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_MISFIRE_HISTORY;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS QRTZ_JOB_STATUS;");
        }
    }
}
