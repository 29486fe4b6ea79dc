// xunit has a Record type too; rows are what tests mean.
global using Record = ConnectPlus.Engine.Data.Record;
